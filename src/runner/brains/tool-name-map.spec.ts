import { API_TOOL_NAME, ToolNameMap } from './tool-name-map.js';

describe(ToolNameMap.name, () => {
  it('should map dotted names to API-safe names and back', () => {
    const map = new ToolNameMap(['journal.add', 'todo.create', 'notes.search']);
    expect(map.toApi('journal.add')).toBe('journal_add');
    expect(map.fromApi('journal_add')).toBe('journal.add');
    expect(map.fromApi('todo_create')).toBe('todo.create');
    expect(map.size).toBe(3);
  });

  it('should keep both names apart when a real name already looks like a mapped one', () => {
    const map = new ToolNameMap(['journal.add', 'journal_add']);
    expect(map.toApi('journal_add')).toBe('journal_add');
    expect(map.toApi('journal.add')).toBe('journal_add_2');
    expect(map.fromApi('journal_add')).toBe('journal_add');
    expect(map.fromApi('journal_add_2')).toBe('journal.add');
  });

  it('should give every name of a crowded family its own API name', () => {
    const map = new ToolNameMap(['a.b', 'a:b', 'a b', 'a_b']);
    const apiNames = ['a.b', 'a:b', 'a b', 'a_b'].map((n) => map.toApi(n));
    expect(new Set(apiNames).size).toBe(4);
    for (const n of ['a.b', 'a:b', 'a b', 'a_b']) expect(map.fromApi(map.toApi(n))).toBe(n);
  });

  it('should keep long names within 64 characters, suffix included', () => {
    const long = `${'x'.repeat(40)}.${'y'.repeat(40)}`;
    const other = `${'x'.repeat(40)}:${'y'.repeat(40)}`;
    const map = new ToolNameMap([long, other]);
    for (const name of [long, other]) {
      expect(map.toApi(name)).toMatch(API_TOOL_NAME);
      expect(map.fromApi(map.toApi(name))).toBe(name);
    }
    expect(map.toApi(long)).not.toBe(map.toApi(other));
  });

  it('should answer undefined for a name the model made up and refuse an unknown real name', () => {
    const map = new ToolNameMap(['todo.list']);
    expect(map.fromApi('todo_delete_everything')).toBeUndefined();
    expect(() => map.toApi('todo.delete')).toThrow('Unknown tool');
  });
});
