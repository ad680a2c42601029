import { PersonaSeedService } from '../../src/personas/catalog/persona-seed.service.js';
import { loadCatalog } from '../../src/personas/catalog/catalog.js';
import { derivePersonaPassword } from '../../src/personas/persona-password.js';
import type { TestApp } from '../support/test-app.js';
import { login } from '../support/factories.js';
import { bootPersonasApp, rowCounts } from './personas-support.js';

describe(PersonaSeedService.name, () => {
  let t: TestApp;
  const catalog = loadCatalog();

  beforeAll(async () => {
    t = await bootPersonasApp();
  });
  afterAll(() => t.close());

  it('should seed the catalog in-process, shared spaces included, and change nothing the second time', async () => {
    const seed = t.app.get(PersonaSeedService);
    const first = await seed.seedCatalog();
    expect(first.failed).toBe(0);
    expect(first.personas.map((p) => p.email)).toEqual(catalog.personas.map((p) => p.email));
    for (const s of first.spaces) expect(s.spaceId).toEqual(expect.any(String));
    const memberships = await t.dataSource.query(
      `SELECT s.name, count(*)::int AS members FROM spaces s JOIN space_members m ON m.space_id = s.id
        WHERE s.id = ANY($1::uuid[]) GROUP BY s.name ORDER BY s.name`,
      [first.spaces.map((s) => s.spaceId)],
    );
    expect(memberships).toEqual(
      catalog.spaces.map((s) => ({ name: s.name, members: 2 })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    );

    const before = await rowCounts(t);
    const second = await seed.seedCatalog();
    expect(second.failed).toBe(0);
    expect(second.personas.every((p) => p.outcome === 'unchanged')).toBe(true);
    expect(second.spaces.every((s) => s.outcome === 'unchanged' && s.membersAdded.length === 0)).toBe(true);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('should let every seeded persona log in with its derived password', async () => {
    await t.app.get(PersonaSeedService).seedCatalog(); // idempotent: seeded whatever ran before
    for (const p of catalog.personas) {
      await expect(
        login(t, p.email, derivePersonaPassword(p.email, t.config.personaSeedSecret)),
      ).resolves.toHaveProperty('accessToken');
    }
  });
});
