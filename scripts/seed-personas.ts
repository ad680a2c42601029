import { loadPersonaSeedConfig } from '../src/config/app-config.js';
import { ConfigError } from '../src/config/config.error.js';
import { CatalogError, DEFAULT_CATALOG_PATH, loadCatalog } from '../src/personas/catalog/catalog.js';
import type { CatalogPersona, CatalogSpace } from '../src/personas/catalog/catalog.js';
import { derivePersonaPassword, personaSeedSecret } from '../src/personas/persona-password.js';
import { ApiClient, ApiError, UsageError, apiBase, parseFlags, runCli } from './cli-support.js';

const USAGE = `Usage: npm run seed:personas -- [--api=URL | --auth=URL] [--jwt=ADMIN_JWT] [--dry-run] [--catalog=PATH]

Creates or updates every persona of the catalog through the admin API (with its derived password),
then sets up the shared spaces through the spaces API as each space's owner persona.
Re-running changes nothing.

  --api=URL       the Mana Personas server (default: $MANA_API_URL, else http://localhost:3000)
  --auth=URL      legacy alias of --api
  --jwt=TOKEN     an admin access token (default: $MANA_ADMIN_JWT)
  --dry-run       print what would happen; sends nothing and needs no token
  --catalog=PATH  the persona catalog (default: ${DEFAULT_CATALOG_PATH})
  --help          this text

Passwords are derived from PERSONA_SEED_SECRET (the server's secret must be the same); no other
server secret is needed, and the CLI writes no file.
Exit status: 0 all seeded, 1 a persona or space failed (reasons printed), 2 usage error.`;

interface PersonaBody {
  userId: string;
}
interface SpaceItem {
  id: string;
  name: string;
  type: string;
  role: string;
}
interface LoginBody {
  accessToken: string;
  refreshToken: string;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), {
    values: ['api', 'auth', 'jwt', 'catalog'],
    switches: ['dry-run', 'help'],
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const base = apiBase(flags, process.env);
  const dryRun = flags['dry-run'] === true;
  const jwt = (flags.jwt as string | undefined) ?? process.env.MANA_ADMIN_JWT;
  if (!dryRun && !jwt) throw new UsageError('an admin token is needed: pass --jwt=... or set MANA_ADMIN_JWT');

  // only the persona secret: no server secrets, nothing written (a dry run derives no password at all)
  let secret = '';
  if (!dryRun) {
    try {
      secret = personaSeedSecret(loadPersonaSeedConfig(process.env));
    } catch (error) {
      console.error(error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`);
      return 1;
    }
  }
  const catalogPath = (flags.catalog as string | undefined) ?? DEFAULT_CATALOG_PATH;
  let catalog;
  try {
    catalog = loadCatalog(catalogPath);
  } catch (error) {
    if (error instanceof CatalogError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  if (dryRun) {
    printPlan(catalog.personas, catalog.spaces, base);
    return 0;
  }

  const api = new ApiClient(base);
  console.log(`seeding ${catalog.personas.length} personas into ${base}`);
  const seeded = new Map<string, string>();
  let failed = 0;
  for (const p of catalog.personas) {
    try {
      const res = await api.request<PersonaBody>('POST', '/api/v1/personas/admin', {
        token: jwt,
        body: {
          email: p.email,
          name: p.name,
          password: derivePersonaPassword(p.email, secret),
          archetype: p.archetype,
          systemPrompt: p.systemPrompt,
          moduleMix: p.moduleMix,
          tickCadence: p.tickCadence,
          timezone: p.timezone,
        },
      });
      const outcome = res.headers.get('x-persona-outcome') ?? (res.status === 201 ? 'created' : 'updated');
      seeded.set(p.email, res.body.userId);
      console.log(`  ${p.email.padEnd(32)} ${outcome.padEnd(9)} ${res.body.userId}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) throw error;
      failed += 1;
      console.log(`  ${p.email.padEnd(32)} FAILED    ${(error as Error).message}`);
    }
  }

  console.log(`shared spaces (${catalog.spaces.length})`);
  for (const s of catalog.spaces) {
    const missing = [s.owner, ...s.members].filter((e) => !seeded.has(e));
    if (missing.length > 0) {
      failed += 1;
      console.log(`  "${s.name}" (${s.type}) FAILED    not seeded: ${missing.join(', ')}`);
      continue;
    }
    try {
      console.log(
        `  "${s.name}" (${s.type}) ${await seedSpace(api, s, derivePersonaPassword(s.owner, secret))}`,
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) throw error;
      failed += 1;
      console.log(`  "${s.name}" (${s.type}) FAILED    ${(error as Error).message}`);
    }
  }
  console.log(failed === 0 ? 'done' : `done with ${failed} failure(s)`);
  return failed === 0 ? 0 : 1;
}

/** As the owner persona: find or create the space, add the members that are missing. */
async function seedSpace(api: ApiClient, s: CatalogSpace, ownerPassword: string): Promise<string> {
  const login = await api.request<LoginBody>('POST', '/api/v1/auth/login', {
    body: { email: s.owner, password: ownerPassword },
  });
  const token = login.body.accessToken;
  try {
    const spaces = await api.request<{ items: SpaceItem[] }>('GET', '/api/v1/spaces', { token });
    let space = spaces.body.items.find((x) => x.name === s.name && x.type === s.type && x.role === 'owner');
    const steps: string[] = [];
    if (!space) {
      space = (
        await api.request<SpaceItem>('POST', '/api/v1/spaces', {
          token,
          body: { name: s.name, type: s.type },
        })
      ).body;
      steps.push('created');
    }
    const members = await api.request<{ items: Array<{ email: string }> }>(
      'GET',
      `/api/v1/spaces/${space.id}/members`,
      { token },
    );
    const present = new Set(members.body.items.map((m) => m.email));
    for (const email of s.members) {
      if (present.has(email)) continue;
      await api.request('POST', `/api/v1/spaces/${space.id}/members`, { token, body: { email } });
      steps.push(`added ${email}`);
    }
    return steps.length === 0 ? 'unchanged' : steps.join(', ');
  } finally {
    // end the owner's session so seeding leaves no live refresh token behind
    await api
      .request('POST', '/api/v1/auth/logout', { body: { refreshToken: login.body.refreshToken } })
      .catch(() => undefined);
  }
}

function printPlan(personas: CatalogPersona[], spaces: CatalogSpace[], base: string): void {
  console.log(`dry run: nothing is sent to ${base}`);
  console.log(`would create or update ${personas.length} personas (POST /api/v1/personas/admin):`);
  for (const p of personas) {
    const mix = Object.entries(p.moduleMix)
      .map(([m, w]) => `${m} ${w}`)
      .join(', ');
    console.log(`  ${p.email.padEnd(32)} ${p.archetype}, ${p.tickCadence}, ${p.timezone}; ${mix}`);
  }
  console.log(`would make sure these shared spaces exist, as their owner persona:`);
  for (const s of spaces) {
    console.log(`  "${s.name}" (${s.type}) owned by ${s.owner}, members ${s.members.join(', ')}`);
  }
}

runCli(main, USAGE);
