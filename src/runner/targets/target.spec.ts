import { describeTarget, parseEnvAssignment, parseHeaderLine, splitCommandLine } from './target.js';

describe('target parsing', () => {
  it.each([
    ['Authorization: Bearer abc.def', { name: 'Authorization', value: 'Bearer abc.def' }],
    ['X-Api-Key:k:with:colons', { name: 'X-Api-Key', value: 'k:with:colons' }],
    ['  x-trace :  1  ', { name: 'x-trace', value: '1' }],
  ])('should read the header line %j', (line, expected) => {
    expect(parseHeaderLine(line)).toEqual(expected);
  });

  it.each([
    ['Authorization Bearer abc', /not a header line/],
    [': value', /not a header line/],
    ['Bad Name: x', /not a valid header name/],
    ['X-Ok: a\r\nInjected: b', /line break/],
  ])('should refuse the header line %j, saying why', (line, why) => {
    expect(parseHeaderLine(line)).toMatch(why);
  });

  it('should read NAME=value and refuse anything else', () => {
    expect(parseEnvAssignment('MEMORY_FILE_PATH=/tmp/a=b.json')).toEqual({
      name: 'MEMORY_FILE_PATH',
      value: '/tmp/a=b.json',
    });
    expect(parseEnvAssignment('EMPTY=')).toEqual({ name: 'EMPTY', value: '' });
    expect(parseEnvAssignment('1BAD=x')).toMatch(/not NAME=value/);
    expect(parseEnvAssignment('novalue')).toMatch(/not NAME=value/);
  });

  it.each([
    ['node server.js --port 3', ['node', 'server.js', '--port', '3']],
    [`node "my server.js" 'a b' c\\ d`, ['node', 'my server.js', 'a b', 'c d']],
    [`npx -y "@scope/pkg" ""`, ['npx', '-y', '@scope/pkg', '']],
    [`echo "say \\"hi\\""`, ['echo', 'say "hi"']],
  ])('should split the command line %j as a shell would', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  it('should refuse an empty command line and an unclosed quote', () => {
    expect(splitCommandLine('   ')).toMatch(/empty/);
    expect(splitCommandLine('node "server.js')).toMatch(/unclosed/);
  });

  it('should name a target without its secret values', () => {
    const http = describeTarget({
      kind: 'http',
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer s3cret-token' },
    });
    expect(http).toBe('https://mcp.example.com/mcp (headers: Authorization)');
    const stdio = describeTarget({
      kind: 'stdio',
      command: 'node',
      args: ['s.js'],
      env: { API_KEY: 'k-123' },
    });
    expect(stdio).toBe('stdio: node s.js (env: API_KEY)');
    expect(`${http} ${stdio}`).not.toMatch(/s3cret|k-123/);
  });
});
