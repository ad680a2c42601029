import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/app-config.js';
import { DatabaseModule } from './database/database.module.js';
import type { DatabaseTarget } from './database/data-source.options.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { loggerOptions } from './observability/logger.options.js';
import { AuthModule } from './auth/auth.module.js';
import { SpacesModule } from './spaces/spaces.module.js';
import { ToolsModule } from './tools/tools.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseTarget): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DatabaseModule.forRoot(database),
        ObservabilityModule,
        AuthModule,
        SpacesModule,
        ToolsModule,
      ],
    };
  }
}
