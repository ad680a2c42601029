import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdvisoryLock } from './advisory-lock.js';

/** Runs pending migrations at boot, one instance at a time. */
@Injectable()
export class MigrationRunnerService implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunnerService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AdvisoryLock) private readonly lock: AdvisoryLock,
  ) {}

  async onModuleInit(): Promise<void> {
    // an instance that waits here finds the migrations applied by the first one and has nothing to do
    await this.lock.run('migrations', () => this.run());
  }

  private async run(): Promise<void> {
    const done = await this.dataSource.runMigrations({ transaction: 'each' });
    if (done.length > 0) this.logger.log(`applied migrations: ${done.map((m) => m.name).join(', ')}`);
  }
}
