import { loadCatalog } from '../../../personas/catalog/catalog.js';
import { toolModule } from '../brain.js';
import { PLAYBOOKS } from './playbooks/playbook.js';
import { APP_TOOL_INPUTS, DESTRUCTIVE_TOOLS, appTools, optionalFields } from './testing/app-tools.js';
import { playCatalogDay } from './testing/fake-day.js';
import type { FakeCall } from './testing/fake-day.js';

const catalog = loadCatalog();
const TOOLS = appTools(true);

/** The row id a write answered (`{ task: { id } }`). */
function answeredId(call: FakeCall): unknown {
  const data = call.data as Record<string, { id?: unknown } | undefined> | undefined;
  return data ? Object.values(data).find((v) => v && typeof v === 'object' && 'id' in v)?.id : undefined;
}

describe('ScriptedDay over a simulated catalog day', () => {
  let calls: FakeCall[];

  beforeAll(async () => {
    calls = await playCatalogDay(catalog, 'coverage', '2025-03-04');
  });

  it('should call every one of the 26 user-space tools', () => {
    const called = new Set(calls.map((c) => c.name));
    const missing = Object.keys(APP_TOOL_INPUTS).filter((t) => !called.has(t));
    const fields = TOOLS.flatMap((t) => optionalFields(t).map((f) => `${t.name}.${f}`));
    const used = new Set(calls.flatMap((c) => Object.keys(c.input).map((k) => `${c.name}.${k}`)));
    const covered = fields.filter((f) => used.has(f));
    // eslint-disable-next-line no-console
    console.log(
      `scripted coverage: ${calls.length} calls, tools called ${called.size}/${TOOLS.length}, ` +
        `optional fields used ${covered.length}/${fields.length}` +
        (covered.length < fields.length ? ` (missing ${fields.filter((f) => !used.has(f)).join(', ')})` : ''),
    );
    expect(TOOLS).toHaveLength(26);
    expect(missing).toEqual([]);
  });

  it("should use each optional field of each tool's input schema at least once", () => {
    const used = new Set(calls.flatMap((c) => Object.keys(c.input).map((k) => `${c.name}.${k}`)));
    const unused = TOOLS.flatMap((t) => optionalFields(t).map((f) => `${t.name}.${f}`)).filter(
      (f) => !used.has(f),
    );
    expect(unused).toEqual([]);
  });

  it('should have every module played by at least two personas', () => {
    for (const playbook of PLAYBOOKS) {
      const players = new Set(
        calls.filter((c) => toolModule(c.name) === playbook.module).map((c) => c.persona),
      );
      expect({ module: playbook.module, players: players.size >= 2 }).toEqual({
        module: playbook.module,
        players: true,
      });
    }
  });

  it("should send input the tools accept, except the newbie's slips, which only the newbie makes", () => {
    const refused = calls.filter((c) => !c.ok && !c.expectError);
    expect(refused.map((c) => `${c.persona} ${c.name} ${JSON.stringify(c.input)}: ${c.text}`)).toEqual([]);
    const slips = calls.filter((c) => c.expectError);
    const newbies = new Set(
      catalog.personas.filter((p) => p.archetype === 'overwhelmed-newbie').map((p) => p.email),
    );
    for (const slip of slips) expect(newbies.has(slip.persona)).toBe(true);
  });

  it('should delete only its own rows made earlier, in its personal space, after opting in', () => {
    const optedIn = new Set(catalog.personas.filter((p) => p.destructiveTools).map((p) => p.email));
    const deletes = calls.filter((c) => DESTRUCTIVE_TOOLS.has(c.name));
    expect(deletes.length).toBeGreaterThan(0);
    for (const d of deletes) {
      expect(optedIn.has(d.persona)).toBe(true);
      expect(d.spaceId).toBeUndefined();
      const made = calls
        .slice(0, calls.indexOf(d))
        .some(
          (c) => c.persona === d.persona && c.spaceId === undefined && c.ok && answeredId(c) === d.input.id,
        );
      expect({ delete: d.name, id: d.input.id, madeByThisPersonaEarlier: made }).toEqual({
        delete: d.name,
        id: d.input.id,
        madeByThisPersonaEarlier: true,
      });
    }
  });

  it('should act in a shared space only where the persona is a member, and never delete there', () => {
    const shared = calls.filter((c) => c.spaceId !== undefined);
    expect(shared.length).toBeGreaterThan(0);
    for (const c of shared) {
      expect({ call: c.name, refused: !c.ok ? c.text : null }).toEqual({ call: c.name, refused: null });
      expect(DESTRUCTIVE_TOOLS.has(c.name)).toBe(false);
    }
  });
});
