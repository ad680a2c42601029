import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source.options.js';
import type { DatabaseTarget } from './data-source.options.js';
import { DATABASE_TARGET } from './database.tokens.js';
import { MigrationRunnerService } from './migration-runner.service.js';
import { AdvisoryLock } from './advisory-lock.js';
import { RateLimiterFactory } from './rate-limits/rate-limiter.factory.js';

/** The one TypeORM connection (pool) shared by every module, and the rate limits counted in it. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(target: DatabaseTarget): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(target), retryAttempts: 3, retryDelay: 1000 })],
      providers: [
        { provide: DATABASE_TARGET, useValue: target },
        AdvisoryLock,
        MigrationRunnerService,
        RateLimiterFactory,
      ],
      exports: [DATABASE_TARGET, AdvisoryLock, RateLimiterFactory],
    };
  }
}
