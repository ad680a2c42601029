import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogError, loadCatalog, validateCatalog } from './catalog.js';
import type { PersonaCatalog } from './catalog.js';

const MODULES = ['calendar', 'contacts', 'habits', 'journal', 'mood', 'notes', 'spaces', 'todo'];
const registry = { modules: () => MODULES };
const fresh = (): PersonaCatalog & Record<string, unknown> =>
  JSON.parse(readFileSync('catalog/personas.json', 'utf8'));

/** The CatalogError's problems for a catalog changed by `edit`. */
function problemsOf(
  edit: (c: PersonaCatalog & Record<string, unknown>) => void,
  withRegistry = true,
): string[] {
  const catalog = fresh();
  edit(catalog);
  try {
    validateCatalog(catalog, withRegistry ? { registry, emailDomain: 'mana.test' } : {});
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as CatalogError).problems;
  }
  throw new Error('the catalog was accepted');
}

describe(loadCatalog.name, () => {
  it('should load the shipped catalog: 10 personas over 7 archetypes and 5 shared spaces', () => {
    const catalog = loadCatalog('catalog/personas.json', { registry, emailDomain: 'mana.test' });
    expect(catalog.personas).toHaveLength(10);
    const archetypes = catalog.personas.map((p) => p.archetype).sort();
    expect(archetypes).toEqual([
      'adhd-student',
      'adhd-student',
      'ceo-busy',
      'ceo-busy',
      'creative-parent',
      'creative-parent',
      'freelancer',
      'overwhelmed-newbie',
      'researcher',
      'solo-dev',
    ]);
    const names = catalog.personas.map((p) => p.email.split('@')[0].split('.')[1]).sort();
    expect(names).toEqual(['anna', 'ben', 'julia', 'kai', 'lena', 'marcus', 'maya', 'paul', 'sofia', 'tom']);
    expect(new Set(catalog.personas.map((p) => p.tickCadence))).toEqual(
      new Set(['hourly', 'daily', 'weekdays']),
    );
    expect(new Set(catalog.personas.map((p) => p.timezone)).size).toBeGreaterThanOrEqual(8);
    const pairs = catalog.spaces.map((s) => `${s.type}:${[s.owner, ...s.members].sort().join('+')}`).sort();
    expect(pairs).toEqual([
      'brand:persona.maya@mana.test+persona.paul@mana.test',
      'family:persona.anna@mana.test+persona.ben@mana.test',
      'family:persona.sofia@mana.test+persona.tom@mana.test',
      'practice:persona.julia@mana.test+persona.kai@mana.test',
      'team:persona.lena@mana.test+persona.marcus@mana.test',
    ]);
  });

  it('should give every persona a distinct prompt of a few hundred words', () => {
    const catalog = loadCatalog();
    const prompts = new Set(catalog.personas.map((p) => p.systemPrompt));
    expect(prompts.size).toBe(10);
    for (const p of catalog.personas) {
      expect(p.systemPrompt.split(/\s+/).length).toBeGreaterThanOrEqual(200);
      expect(p.systemPrompt).toContain(p.name.split(' ')[0]);
    }
    const maya = catalog.personas.find((p) => p.archetype === 'overwhelmed-newbie');
    expect(maya?.systemPrompt).toMatch(/mistake/i);
  });

  it('should name the file when it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    try {
      const file = join(dir, 'broken.json');
      writeFileSync(file, '{"version": 1, "personas": [');
      expect(() => loadCatalog(file)).toThrow(
        new RegExp(`${file.replace(/[/.]/g, '\\$&')}[\\s\\S]*not valid JSON`),
      );
      expect(() => loadCatalog(join(dir, 'missing.json'))).toThrow(/cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(validateCatalog.name, () => {
  it('should name entry and field of an unknown module', () => {
    const problems = problemsOf((c) => {
      c.personas[1].moduleMix.todoo = 1;
    });
    expect(problems).toEqual(['personas[1] (persona.ben@mana.test).moduleMix.todoo: unknown module']);
  });

  it('should put the entry and field into the error message itself', () => {
    const catalog = fresh();
    catalog.personas[1].moduleMix.todoo = 1;
    expect(() => validateCatalog(catalog, { registry })).toThrow(
      'personas[1] (persona.ben@mana.test).moduleMix.todoo: unknown module',
    );
  });

  it('should accept any module name when no registry is given', () => {
    const catalog = fresh();
    catalog.personas[1].moduleMix.todoo = 1;
    expect(validateCatalog(catalog).personas[1].moduleMix.todoo).toBe(1);
  });

  it('should report every schema problem with its entry and field', () => {
    const problems = problemsOf((c) => {
      c.personas[1].moduleMix.calendar = -1;
      (c.personas[1].moduleMix as Record<string, unknown>).habits = 'x';
      (c.personas[1].moduleMix as Record<string, unknown>).Todo = 1;
      delete (c.personas[2] as Partial<(typeof c.personas)[number]>).systemPrompt;
      (c.personas[3] as unknown as Record<string, unknown>).tickCadence = 'monthly';
      (c.personas[4] as unknown as Record<string, unknown>).mood = 2;
      c.extra = true;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'extra: is not allowed',
        'personas[1] (persona.ben@mana.test).moduleMix.calendar: must be >= 0',
        'personas[1] (persona.ben@mana.test).moduleMix.habits: must be number',
        "personas[1] (persona.ben@mana.test).moduleMix.Todo: is not a valid name (lower-case letters, digits, '_')",
        'personas[2] (persona.marcus@mana.test).systemPrompt: is required',
        'personas[3] (persona.lena@mana.test).tickCadence: must be one of hourly, daily, weekdays',
        'personas[4] (persona.sofia@mana.test).mood: is not allowed',
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('should refuse a prompt that is too short and an email outside the persona pattern', () => {
    const problems = problemsOf((c) => {
      c.personas[0].systemPrompt = 'too short';
      c.personas[5].email = 'tom@mana.test';
    });
    expect(problems).toEqual([
      'personas[0] (persona.anna@mana.test).systemPrompt: must NOT have fewer than 20 characters',
      'personas[5] (tom@mana.test).email: must match pattern "^persona\\.[a-z][a-z0-9-]*@[a-z0-9-]+(\\.[a-z0-9-]+)+$"',
    ]);
  });

  it('should refuse duplicate emails, all-zero mixes, bad time zones and other domains', () => {
    const problems = problemsOf((c) => {
      c.personas[9].email = c.personas[0].email;
      c.personas[2].moduleMix = { todo: 0, notes: 0 };
      c.personas[3].timezone = 'Mars/Olympus';
      c.personas[4].email = 'persona.sofia@example.com';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'personas[9] (persona.anna@mana.test).email: duplicate of personas[0]',
        'personas[2] (persona.marcus@mana.test).moduleMix: needs at least one module with a weight above 0',
        'personas[3] (persona.lena@mana.test).timezone: "Mars/Olympus" is not an IANA time zone',
        'personas[4] (persona.sofia@example.com).email: must be at the persona domain @mana.test',
      ]),
    );
  });

  it('should refuse spaces whose owner or members are not in the catalog', () => {
    const problems = problemsOf((c) => {
      c.spaces[0].members.push('persona.nobody@mana.test');
      c.spaces[1].owner = 'persona.ghost@mana.test';
      c.spaces[2].members.push(c.spaces[2].owner);
    });
    expect(problems).toEqual([
      'spaces[0] (Brandt Family).members[1]: persona.nobody@mana.test is not a persona of the catalog',
      'spaces[1] (Marín–Whitfield Home).owner: persona.ghost@mana.test is not a persona of the catalog',
      'spaces[2] (Kestrel Leadership).members[1]: persona.marcus@mana.test is the owner already',
    ]);
  });

  it('should let a few personas opt into the destructive tools, with a boolean', () => {
    const optedIn = loadCatalog()
      .personas.filter((p) => p.destructiveTools === true)
      .map((p) => p.email.split('@')[0].split('.')[1])
      .sort();
    expect(optedIn).toEqual(['ben', 'kai', 'lena', 'paul']);
    const problems = problemsOf((c) => {
      (c.personas[0] as unknown as Record<string, unknown>).destructiveTools = 'yes';
    });
    expect(problems).toEqual(['personas[0] (persona.anna@mana.test).destructiveTools: must be boolean']);
  });

  it('should refuse a space type a shared space cannot have', () => {
    const problems = problemsOf((c) => {
      (c.spaces[3] as unknown as Record<string, unknown>).type = 'personal';
    });
    expect(problems).toEqual([
      'spaces[3] (Thursday Deep Work).type: must be one of family, team, practice, brand, club',
    ]);
  });
});
