import { CatalogError, DEFAULT_CATALOG_PATH, loadCatalog } from '../src/personas/catalog/catalog.js';
import { ApiClient, ApiError, UsageError, apiBase, parseFlags, runCli } from './cli-support.js';

const USAGE = `Usage: npm run seed:personas:cleanup -- [--api=URL | --auth=URL] [--jwt=ADMIN_JWT] [--dry-run] [--yes] [--drift-only] [--catalog=PATH]

Lists the live personas, marks those that are not in the catalog (drift), and hard-deletes personas
only when --yes is given.

  --api=URL       the Mana Personas server (default: $MANA_API_URL, else http://localhost:3000)
  --auth=URL      legacy alias of --api
  --jwt=TOKEN     an admin access token (default: $MANA_ADMIN_JWT); listing needs it too
  --yes           really delete (without it nothing is deleted)
  --drift-only    delete only the personas that are not in the catalog
  --dry-run       list and say what would be deleted; deletes nothing, even with --yes
  --catalog=PATH  the persona catalog (default: ${DEFAULT_CATALOG_PATH})
  --help          this text

Exit status: 0 ok, 1 a request failed, 2 usage error.`;

interface ListItem {
  userId: string;
  email: string;
  archetype: string;
  actions7d: number;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), {
    values: ['api', 'auth', 'jwt', 'catalog'],
    switches: ['dry-run', 'yes', 'drift-only', 'help'],
  });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const base = apiBase(flags, process.env);
  const jwt = (flags.jwt as string | undefined) ?? process.env.MANA_ADMIN_JWT;
  if (!jwt)
    throw new UsageError('an admin token is needed to list personas: pass --jwt=... or set MANA_ADMIN_JWT');
  let catalogEmails: Set<string>;
  try {
    catalogEmails = new Set(
      loadCatalog((flags.catalog as string | undefined) ?? DEFAULT_CATALOG_PATH).personas.map((p) => p.email),
    );
  } catch (error) {
    if (error instanceof CatalogError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  const api = new ApiClient(base);
  const live: ListItem[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
    const page: { body: { items: ListItem[]; nextCursor: string | null } } = await api.request(
      'GET',
      `/api/v1/personas/admin${query}`,
      { token: jwt },
    );
    live.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);

  const drift = live.filter((p) => !catalogEmails.has(p.email));
  const liveEmails = new Set(live.map((p) => p.email));
  const absent = [...catalogEmails].filter((e) => !liveEmails.has(e));
  console.log(`${live.length} live personas on ${base}`);
  for (const p of live) {
    const mark = catalogEmails.has(p.email) ? 'in catalog' : 'DRIFT: not in the catalog';
    console.log(`  ${p.email.padEnd(32)} ${p.userId}  ${mark}`);
  }
  if (drift.length > 0) console.log(`warning: ${drift.length} live persona(s) are not in the catalog`);
  if (absent.length > 0)
    console.log(`note: ${absent.length} catalog persona(s) are not live: ${absent.join(', ')}`);

  const targets = flags['drift-only'] ? drift : live;
  if (flags['dry-run'] || !flags.yes) {
    const why = flags['dry-run'] ? 'dry run' : 'pass --yes to delete them';
    console.log(`would delete ${targets.length} persona(s); nothing deleted (${why})`);
    return 0;
  }
  let failed = 0;
  for (const p of targets) {
    try {
      const res = await api.request<{ spacesDeleted: number; spacesTransferred: number }>(
        'DELETE',
        `/api/v1/personas/admin/${p.userId}`,
        { token: jwt },
      );
      console.log(
        `  deleted ${p.email} (${res.body.spacesDeleted} spaces deleted, ${res.body.spacesTransferred} handed over)`,
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) throw error;
      failed += 1;
      console.log(`  FAILED ${p.email}: ${(error as Error).message}`);
    }
  }
  console.log(`deleted ${targets.length - failed} persona(s)${failed ? `, ${failed} failed` : ''}`);
  return failed === 0 ? 0 : 1;
}

runCli(main, USAGE);
