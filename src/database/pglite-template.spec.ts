import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteTemplate } from './pglite-template.js';

describe(PgliteTemplate.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'mana-template-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('should answer a template that is already made without making it again', async () => {
    const made = join(root, 'made');
    mkdirSync(made);
    writeFileSync(join(made, 'PG_VERSION'), '17\n');
    const template = new PgliteTemplate(made);
    expect(template.ready).toBe(true);
    expect(await template.ensure()).toBe(made);
    expect(existsSync(join(made, 'base'))).toBe(false);
  });

  it('should seed a new data directory with a cluster PGlite opens, and leave a used one alone', async () => {
    // the install's own template (npm ci makes it) when it is there, else one made here (initdb)
    const installed = new PgliteTemplate();
    const template = installed.ready ? installed : new PgliteTemplate(join(root, 'template'));
    await template.ensure();

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
