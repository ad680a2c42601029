import { envNameProblem, headerNameProblem, headerValueProblem, httpUrlProblem } from './mcp-target.js';

describe('target part rules', () => {
  it('should take RFC 9110 token header names only', () => {
    expect(headerNameProblem("X-Api_Key.v1!#$%&'*+^`|~")).toBeUndefined();
    expect(headerNameProblem('X Api')).toBe('"X Api" is not a valid header name');
    expect(headerNameProblem('X:Api')).toBe('"X:Api" is not a valid header name');
    expect(headerNameProblem('')).toBe('"" is not a valid header name');
  });

  it('should refuse a header value with CR, LF or NUL, never quoting it', () => {
    expect(headerValueProblem('A', 'Bearer abc def')).toBeUndefined();
    for (const value of ['s3cr3t\r', 's3cr3t\nX: y', 's3cr3t\u0000']) {
      expect(headerValueProblem('A', value)).toBe('the value of header "A" contains a line break');
    }
  });

  it('should take environment names a shell would', () => {
    expect(envNameProblem('_A1')).toBeUndefined();
    expect(envNameProblem('1A')).toMatch(/is not an environment variable name/);
    expect(envNameProblem('A=B')).toMatch(/is not an environment variable name/);
  });

  it.each([
    ['https://mcp.example.com/mcp', undefined],
    ['http://[::1]:3001/mcp', undefined],
    ['/mcp', 'is not a URL'],
    ['file:///etc/passwd', 'is not an http(s) URL'],
    ['https://user:pw@mcp.example.com/mcp', 'must not carry credentials (user:password@)'],
  ])('should judge %j as an MCP server address', (text, problem) => {
    expect(httpUrlProblem(text)).toBe(problem);
  });
});
