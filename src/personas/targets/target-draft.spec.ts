import {
  draftFromCreate,
  draftFromPatch,
  envMapProblem,
  headerMapProblem,
  semanticsProblem,
  targetUrlProblem,
} from './target-draft.js';
import type { TargetState } from './target-draft.js';

const SECRET = 's3cr3t-value';

describe('target drafts', () => {
  describe(headerMapProblem.name, () => {
    it('should accept token names and single-line values of any case', () => {
      expect(
        headerMapProblem('headers', { Authorization: `Bearer ${SECRET}`, 'x-api-key': '', 'X_Y.z~1': 'a b' }),
      ).toBeUndefined();
    });

    it.each([
      [['X-A: 1'], 'headers must be an object of header name → value'],
      [null, 'headers must be an object of header name → value'],
      [{ 'Bad Name': 'x' }, 'headers: "Bad Name" is not a valid header name'],
      [{ 'X-A': `${SECRET}\r\nInjected: 1` }, 'headers: the value of header "X-A" contains a line break'],
      [{ 'X-A': `${SECRET}\u0000` }, 'headers: the value of header "X-A" contains a line break'],
      [{ 'X-A': 1 }, 'headers: the value of header "X-A" must be a string'],
      [{ 'X-A': 'x'.repeat(8193) }, 'headers: the value of header "X-A" is longer than 8192 characters'],
      [
        { 'content-type': 'text/plain' },
        'headers: "content-type" is written by the MCP transport itself and cannot be set',
      ],
      [{ 'X-Key': '1', 'x-key': '2' }, 'headers: "X-Key" and "x-key" name the same header'],
      [
        Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-${i}`, '1'])),
        'headers may hold at most 50 headers',
      ],
    ])('should refuse %j, naming the field and never the value', (value, message) => {
      const problem = headerMapProblem('headers', value);
      expect(problem).toBe(message);
      expect(problem).not.toContain(SECRET);
    });

    it('should name the field it checks', () => {
      expect(headerMapProblem('targetHeaders', { 'a b': 'x' })).toBe(
        'targetHeaders: "a b" is not a valid header name',
      );
    });
  });

  describe(envMapProblem.name, () => {
    it('should accept NAME=value variables, empty values too', () => {
      expect(envMapProblem('env', { API_KEY: SECRET, _x1: '' })).toBeUndefined();
    });

    it.each([
      [{ '1BAD': SECRET }, 'env: "1BAD" is not an environment variable name (A-Z, a-z, 0-9, _)'],
      [{ 'A-B': 'x' }, 'env: "A-B" is not an environment variable name (A-Z, a-z, 0-9, _)'],
      [{ OK: false }, 'env: the value of OK must be a string'],
      ['API_KEY=x', 'env must be an object of variable name → value'],
    ])('should refuse %j', (value, message) => {
      expect(envMapProblem('env', value)).toBe(message);
    });
  });

  it.each([
    ['https://mcp.example.com/mcp', undefined],
    ['http://127.0.0.1:3001/mcp?team=a', undefined],
    ['mcp.example.com/mcp', 'url is not a URL'],
    ['ws://mcp.example.com/mcp', 'url is not an http(s) URL'],
    ['https://token@mcp.example.com/mcp', 'url must not carry credentials (user:password@)'],
    [42, 'url must be a string'],
  ])('should judge the url %j', (url, problem) => {
    expect(targetUrlProblem(url)).toBe(problem);
  });

  it('should check semantics against the semantics file schema, naming the tool at fault', () => {
    expect(semanticsProblem(null)).toBeUndefined();
    expect(
      semanticsProblem({ tools: { add: { effect: 'create', entity: 'item', idempotent: false } } }),
    ).toBeUndefined();
    expect(
      semanticsProblem({ tools: { add: { effect: 'explode', entity: 'item', idempotent: false } } }),
    ).toMatch(
      /^semantics does not match catalog\/semantics\.schema\.json: \/tools\/add\/effect must be equal to one of the allowed values/,
    );
    expect(semanticsProblem([])).toMatch(/^semantics does not match .*\(root\) must be object/);
  });

  describe(draftFromCreate.name, () => {
    it('should make an http draft, trimming the name', () => {
      expect(
        draftFromCreate({
          name: ' staging ',
          kind: 'http',
          url: 'https://x.example/mcp',
          headers: { A: SECRET },
        }),
      ).toEqual({
        name: 'staging',
        kind: 'http',
        url: 'https://x.example/mcp',
        command: null,
        args: [],
        headers: { A: SECRET },
        env: {},
        semantics: null,
      });
    });

    it('should split a stdio command line, or take command and args as given', () => {
      expect(
        draftFromCreate({ name: 'm', kind: 'stdio', command: `npx -y "@scope/pkg" 'a b'` }),
      ).toMatchObject({
        command: 'npx',
        args: ['-y', '@scope/pkg', 'a b'],
      });
      expect(
        draftFromCreate({ name: 'm', kind: 'stdio', command: '/opt/my server', args: [] }),
      ).toMatchObject({
        command: '/opt/my server',
        args: [],
      });
    });

    it.each([
      [{ kind: 'http', url: 'https://x.example/mcp' }, 'name is required'],
      [{ name: 'x', url: 'https://x.example/mcp' }, 'kind is required: http or stdio'],
      [{ name: '  ', kind: 'http', url: 'https://x.example/mcp' }, 'name must not be blank'],
      [{ name: 'x', kind: 'http' }, 'url is required for an http target'],
      [
        { name: 'x', kind: 'http', url: 'https://x.example/mcp', env: { A: '1' } },
        'env is only for stdio targets',
      ],
      [
        { name: 'x', kind: 'stdio', command: 'node s.js', headers: { A: '1' } },
        'headers is only for http targets',
      ],
      [{ name: 'x', kind: 'stdio' }, 'command is required for a stdio target'],
      [{ name: 'x', kind: 'stdio', command: '   ' }, 'command: the command line is empty'],
      [{ name: 'x', kind: 'stdio', command: ' ', args: ['a'] }, 'command is required for a stdio target'],
    ] as const)('should refuse %j: %s', (body, message) => {
      expect(draftFromCreate(body as never)).toBe(message);
    });
  });

  describe(draftFromPatch.name, () => {
    const current: TargetState = {
      name: 'staging',
      kind: 'http',
      url: 'https://x.example/mcp',
      command: null,
      args: [],
      headers: { Authorization: SECRET },
      env: {},
      semantics: { tools: { add: { effect: 'create', entity: 'item', idempotent: false } } },
    };

    it('should keep omitted fields, replace given maps whole, and clear with null', () => {
      expect(draftFromPatch(current, { name: 'prod' })).toEqual({ ...current, name: 'prod' });
      expect(draftFromPatch(current, { headers: { 'X-Key': 'k' } })).toMatchObject({
        headers: { 'X-Key': 'k' },
      });
      expect(draftFromPatch(current, { headers: null, semantics: null })).toMatchObject({
        headers: {},
        semantics: null,
      });
    });

    it('should drop the old kind’s fields when the kind changes, and need the new kind’s', () => {
      expect(draftFromPatch(current, { kind: 'stdio' })).toBe('command is required for a stdio target');
      expect(draftFromPatch(current, { kind: 'stdio', command: 'node s.js', env: { K: 'v' } })).toEqual({
        ...current,
        kind: 'stdio',
        url: null,
        headers: {},
        command: 'node',
        args: ['s.js'],
        env: { K: 'v' },
      });
      expect(draftFromPatch(current, { url: 'https://y.example/mcp', command: 'node' })).toBe(
        'command is only for stdio targets',
      );
    });

    it('should replace the args alone, or re-split a new command line', () => {
      const stdio = draftFromPatch(current, { kind: 'stdio', command: 'node a.js --x' }) as TargetState;
      expect(draftFromPatch(stdio, { args: ['b.js'] })).toMatchObject({ command: 'node', args: ['b.js'] });
      expect(draftFromPatch(stdio, { command: 'deno run c.ts' })).toMatchObject({
        command: 'deno',
        args: ['run', 'c.ts'],
      });
    });
  });
});
