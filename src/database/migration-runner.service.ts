import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DATABASE_TARGET } from './database.tokens.js';
import type { DatabaseTarget } from './data-source.options.js';

/** Arbitrary constant: the advisory lock that serializes migrations across server instances. */
const MIGRATION_LOCK = 0x6d616e61;

/** Runs pending migrations at boot, one instance at a time. */
@Injectable()
export class MigrationRunnerService implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunnerService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.target.embedded) {
      // one connection only: no second session to hold a lock, and no other instance can connect
      await this.run();
      return;
    }
    const lock = this.dataSource.createQueryRunner();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await this.run();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await lock.release();
    }
  }

  private async run(): Promise<void> {
    const done = await this.dataSource.runMigrations({ transaction: 'each' });
    if (done.length > 0) this.logger.log(`applied migrations: ${done.map((m) => m.name).join(', ')}`);
  }
}
