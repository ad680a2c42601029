import { Module } from '@nestjs/common';
import type { DynamicModule, Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/app-config.js';
import { DatabaseModule } from './database/database.module.js';
import type { DatabaseTarget } from './database/data-source.options.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { loggerOptions } from './observability/logger.options.js';
import { AuthModule } from './auth/auth.module.js';
import { OAuthModule } from './oauth/oauth.module.js';
import { SpacesModule } from './spaces/spaces.module.js';
import { ToolsModule } from './tools/tools.module.js';
import { AppModulesModule } from './modules/app-modules.module.js';
import { FaultsModule } from './faults/faults.module.js';
import { PersonasModule } from './personas/personas.module.js';
import { RunnerModule } from './runner/runner.module.js';
import { ReportsModule } from './reports/reports.module.js';

@Module({})
export class AppModule {
  /** `extraModules` are added after the app's own modules (tests mount probe controllers this way). */
  static forRoot(
    config: AppConfig,
    database: DatabaseTarget,
    extraModules: Array<Type | DynamicModule> = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DatabaseModule.forRoot(database),
        ObservabilityModule,
        AuthModule,
        OAuthModule,
        SpacesModule,
        ToolsModule,
        AppModulesModule,
        // global: provides the interceptors the tool executor and the space data repository consult
        FaultsModule,
        // before PersonasModule: its static routes (…/admin/runner) must be matched before …/admin/:id
        RunnerModule,
        PersonasModule,
        ReportsModule,
        ...extraModules,
      ],
    };
  }
}
