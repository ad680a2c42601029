import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSemanticsFile } from './semantics-file.js';

const DOC = {
  description: 'a notes server',
  tools: {
    add_note: { effect: 'create', entity: 'note', idempotent: false },
    list_notes: { effect: 'list', entity: 'note', idempotent: true },
  },
};

describe(`${loadSemanticsFile.name}: parseSemanticsDocument's rule from a file (npm run check --semantics)`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mana-semantics-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should fill in readers and name the file in its messages', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(DOC));
    expect(loadSemanticsFile(good)).toEqual({
      add_note: { ...DOC.tools.add_note, readers: ['list_notes'] },
      list_notes: { ...DOC.tools.list_notes, readers: ['list_notes'] },
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ tools: [] }));
    expect(() => loadSemanticsFile(bad)).toThrow(
      `the semantics file ${bad} does not match catalog/semantics.schema.json: /tools must be object`,
    );
    writeFileSync(bad, '{');
    expect(() => loadSemanticsFile(bad)).toThrow(new RegExp(`^the semantics file ${bad} is not JSON`));
  });
});
