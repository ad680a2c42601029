import { FaultsService } from '../../src/faults/faults.service.js';
import { UsersService } from '../../src/auth/users/users.service.js';
import { uniqueEmail, TEST_PASSWORD } from '../support/factories.js';
import type { TestApp } from '../support/test-app.js';

/**
 * Clears every active fault through the service (the suite shares one database, so a fault left
 * planted would change the answers of every later test file).
 */
export async function clearAllFaults(t: TestApp): Promise<void> {
  const faults = t.app.get(FaultsService);
  if (!t.config.faultsEnabled) return;
  const { user } = await t.app.get(UsersService).ensureAdmin(uniqueEmail('faults-cleanup'), TEST_PASSWORD);
  for (const fault of (await faults.list()).items.filter((f) => f.active)) {
    await faults.clear(user.id, fault.id);
  }
}
