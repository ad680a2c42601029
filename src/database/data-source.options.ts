import { Logger } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from '../../migrations/index.js';

const logger = new Logger('Database');

export interface DatabaseTarget {
  url: string;
  /** The embedded database accepts one connection; its pool is sized to match. */
  embedded: boolean;
}

/** The one set of TypeORM options, shared by the app, ormconfig.ts (CLI), scripts and tests. */
export function dataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  return {
    type: 'postgres',
    url: target.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: target.embedded ? 1 : 10,
    extra: {
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      // keep one dead socket from failing many requests after a database restart
      keepAlive: true,
    },
    // A dropped connection or a Postgres restart must not kill the process: log and let the pool
    // replace the client on the next checkout.
    poolErrorHandler: (error: Error) => logger.warn(`database pool error: ${error.message}`),
  };
}
