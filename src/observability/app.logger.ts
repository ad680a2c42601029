import type { LoggerService } from '@nestjs/common';

/**
 * Nest's own start-up lines: "Starting Nest application...", one "dependencies initialized" per
 * module, one line per controller and per route, "Nest application successfully started" (about a
 * hundred lines on this app).
 */
export const NEST_BOOT_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * The logger Nest is given (`app.useLogger`), in both log formats: every call goes to nestjs-pino as
 * it is, except Nest's start-up lines (NEST_BOOT_CONTEXTS), which are debug instead of info. At the
 * default level the boot then shows what a person acts on (the banner, the migrations, the seeding,
 * the runner, the first admin); `LOG_LEVEL=debug` brings Nest's lines back. Nest passes the context
 * as the last argument of every call.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && NEST_BOOT_CONTEXTS.has(context)) {
      this.debug(message, ...optionalParams);
    } else {
      this.inner.log(message, ...optionalParams);
    }
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.error(message, ...optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.warn(message, ...optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.debug?.(message, ...optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.verbose?.(message, ...optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.fatal?.(message, ...optionalParams);
  }
}
