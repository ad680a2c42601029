// npm run admin:create -- --email E [--password P]
//
// Makes sure an admin with this email exists, through the very code the server runs at boot for
// ADMIN_EMAIL + ADMIN_PASSWORD (AdminBootstrapService → UsersService.ensureAdmin, inside the full
// application context, so sign-up hooks such as the personal space run too). Unlike the persona
// CLIs it opens the database itself: DATABASE_URL, or the embedded database under DATA_DIR — which
// only one process may hold, so a running server is reported instead of fought over.
//
// Exit codes: 0 done, 1 failed, 2 usage.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isEmail } from 'class-validator';
import { passwordWeakness } from '../src/auth/users/password-policy.js';
import { loadConfig } from '../src/config/app-config.js';
import type { AppConfig } from '../src/config/app-config.js';
import { ConfigError } from '../src/config/config.error.js';
import { DomainException } from '../src/common/domain.exception.js';
import { EmbeddedDatabaseLock } from '../src/database/embedded-lock.js';
import type { DatabaseTarget } from '../src/database/data-source.options.js';

const USAGE = `Usage: npm run admin:create -- --email <email> [--password <password>]

Makes sure an admin account with this email exists: creates it, or promotes an existing account
(whose password is then left as it is). Without --password a strong password is generated and
printed once. Uses DATABASE_URL when set, otherwise the embedded database under DATA_DIR
(default ./.data), which must not be in use by a running server.
`;

class UsageError extends Error {}
class Failure extends Error {}

interface Args {
  email: string;
  password?: string;
}

function parse(argv: string[]): Args | 'help' {
  let values: { email?: string; password?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const email = values.email?.trim().toLowerCase();
  if (!email) throw new UsageError('--email is required');
  // the same rule as the sign-up and login DTOs, so the admin can actually log in
  if (email.length > 254 || !isEmail(email))
    throw new UsageError(`--email "${values.email}" is not an email address`);
  if (values.password !== undefined) {
    const weakness = passwordWeakness(values.password, email);
    if (weakness) throw new UsageError(`--password is too weak: ${weakness}`);
  }
  return { email, password: values.password };
}

function generatePassword(email: string): string {
  for (;;) {
    const password = randomBytes(18).toString('base64url');
    if (!passwordWeakness(password, email)) return password;
  }
}

/** Opens the database the server would use; with the embedded one, holds its lock meanwhile. */
async function openDatabase(
  config: AppConfig,
): Promise<{ target: DatabaseTarget; close: () => Promise<void> }> {
  if (config.databaseUrl)
    return { target: { url: config.databaseUrl, embedded: false }, close: async () => {} };
  const holder = EmbeddedDatabaseLock.holder(config.dataDir);
  if (holder) {
    throw new Failure(
      `The embedded database in ${config.dataDir} is in use by a running server (pid ${holder.pid}` +
        `${holder.port ? `, port ${holder.port}` : ''}); it accepts no second process.\n` +
        'Either stop the server and run this command again, or restart the server with ' +
        'ADMIN_EMAIL and ADMIN_PASSWORD set: it makes sure that admin exists at boot.',
    );
  }
  const lock = EmbeddedDatabaseLock.acquire(config.dataDir);
  try {
    const { EmbeddedPostgres } = await import('../src/database/embedded-postgres.js');
    const embedded = await EmbeddedPostgres.start(join(config.dataDir, 'pgdata'));
    return {
      target: { url: embedded.url, embedded: true },
      close: async () => {
        await embedded.stop();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const generated = args.password === undefined;
  const password = args.password ?? generatePassword(args.email);

  let config: AppConfig;
  try {
    // the boot-time admin step does the work; the scheduler stays off in this short-lived process
    config = loadConfig({
      ...env,
      ADMIN_EMAIL: args.email,
      ADMIN_PASSWORD: password,
      RUNNER_ENABLED: 'false',
      RUNNER_DEMO: 'false',
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new Failure(error.message);
    throw error;
  }

  // the app itself loads only now, so a usage error answers at once
  const [{ NestFactory }, { AppModule }, { AdminBootstrapService }] = await Promise.all([
    import('@nestjs/core'),
    import('../src/app.module.js'),
    import('../src/auth/users/admin-bootstrap.service.js'),
  ]);
  const db = await openDatabase(config);
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, db.target), {
      logger: false,
      abortOnError: false,
    }).catch((error: unknown) => {
      if (error instanceof DomainException) throw new Failure(error.message);
      throw new Failure(`Could not prepare the database: ${(error as Error).message}`);
    });
    const result = app.get(AdminBootstrapService).ensuredAdmin;
    await app.close();
    if (!result) throw new Failure('The admin step did not run; nothing was changed');
    if (result.created) {
      process.stdout.write(`Admin ${result.email} created.\n`);
      if (generated) process.stdout.write(`Password (shown once, store it now): ${password}\n`);
    } else {
      process.stdout.write(
        `${result.email} already existed; it is an admin now. Its password was not changed.\n`,
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`admin:create: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(
      `admin:create: ${error instanceof Failure ? error.message : ((error as Error).stack ?? String(error))}\n`,
    );
    process.exit(1);
  },
);
