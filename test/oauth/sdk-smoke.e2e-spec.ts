import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { metadataHandler } from '@modelcontextprotocol/sdk/server/auth/handlers/metadata.js';
import { InvalidGrantError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';

/** The MCP SDK's auth router and client load under this ESM jest (the OAuth module is built on them). */
describe('MCP SDK auth (smoke import)', () => {
  it('should load the server auth router, handlers, errors and the client auth flow', () => {
    expect(typeof mcpAuthRouter).toBe('function');
    expect(typeof metadataHandler).toBe('function');
    expect(new InvalidGrantError('x').errorCode).toBe('invalid_grant');
    expect(typeof auth).toBe('function');
  });
});
