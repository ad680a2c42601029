import { Logger } from '@nestjs/common';
import { SpaceKeysService } from '../../src/crypto/space-keys.service.js';
import { FieldCipher } from '../../src/crypto/field-cipher.js';
import { SpacesService } from '../../src/spaces/spaces.service.js';
import { ToolRegistry } from '../../src/tools/tool.registry.js';
import type { ToolContext } from '../../src/tool-contract/tool.types.js';
import type { TestApp } from '../support/test-app.js';

/** A real ToolContext: the real SpaceKeysService behind spaceKey(), as the gateway builds it. */
export function toolContext(t: TestApp, userId: string, spaceId: string): ToolContext {
  const keys = t.app.get(SpaceKeysService);
  return {
    user: { id: userId, kind: 'human', tier: 'public' },
    spaceId,
    invoker: 'runner',
    logger: new Logger('test-tool'),
    spaceKey: () => keys.getSpaceKey(spaceId, userId),
  };
}

/**
 * Calls a registered tool the way the executor does: input parsed by its schema (defaults applied),
 * handler called with the context, output checked against its output schema.
 */
export async function callTool<T = any>(
  t: TestApp,
  name: string,
  input: unknown,
  ctx: ToolContext,
): Promise<T> {
  const tool = t.app.get(ToolRegistry).get(name);
  if (!tool) throw new Error(`no tool ${name}`);
  const output = await tool.handler(tool.options.input.parse(input), ctx);
  tool.options.output.parse(output);
  return output as T;
}

export function personalSpaceId(t: TestApp, userId: string): Promise<string> {
  return t.app.get(SpacesService).personalSpaceId(userId);
}

/** Decrypts a stored column value with the space's real key (what a client holding the key would do). */
export async function decryptStored(
  t: TestApp,
  spaceId: string,
  userId: string,
  at: { table: string; column: string; rowId: string },
  wire: string,
): Promise<string> {
  const key = await t.app.get(SpaceKeysService).getSpaceKey(spaceId, userId);
  return t.app.get(FieldCipher).decrypt(key, wire, at);
}
