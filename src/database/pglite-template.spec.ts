import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteTemplate } from './pglite-template.js';

describe(PgliteTemplate.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'mana-template-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('should seed a new data directory with a cluster PGlite opens, and leave a used one alone', async () => {
    const template = new PgliteTemplate(join(root, 'template'));
    expect(await template.ensure()).toBe(join(root, 'template'));
    expect(existsSync(join(root, 'template', 'PG_VERSION'))).toBe(true);

    const fresh = join(root, 'data', 'pgdata');
    expect(template.seed(fresh)).toBe(true);
    const db = await PGlite.create(fresh);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await db.close();

    const used = join(root, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'something'), 'x');
    expect(template.seed(used)).toBe(false);
  });

  it('should seed nothing when there is no template', () => {
    expect(new PgliteTemplate(join(root, 'missing')).seed(join(root, 'other'))).toBe(false);
    expect(new PgliteTemplate(null).seed(join(root, 'other'))).toBe(false);
    expect(existsSync(join(root, 'other'))).toBe(false);
  });
});
