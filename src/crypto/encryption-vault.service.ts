import { Inject, Injectable } from '@nestjs/common';
import { UsersService } from '../auth/users/users.service.js';
import { SpaceKeysService } from './space-keys.service.js';
import { VaultErrorCode, VaultException } from './vault.exception.js';
import type {
  VaultKeyResponseDto,
  VaultStatusResponseDto,
  ZeroKnowledgeResponseDto,
} from './encryption-vault.dto.js';

const ALGORITHM = 'AES-256-GCM';
const FORMAT = 'enc:1:<b64 iv>.<b64 ciphertext+tag>; AAD = JSON ["mana-field",1,table,column,rowId]';

/** The user's view of their own key: fetch it for their clients, or take it away from the server. */
@Injectable()
export class EncryptionVaultService {
  constructor(
    @Inject(SpaceKeysService) private readonly keys: SpaceKeysService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  /**
   * Re-authentication: the account password, checked with the real hasher, before the key leaves
   * the server or is destroyed. A wrong password is a 401 that names the password (not the token).
   */
  async confirmPassword(userId: string, password: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || !(await this.users.verifyPassword(user, password))) {
      throw new VaultException(
        VaultErrorCode.WRONG_PASSWORD,
        'password is wrong: exporting the key or switching to zero-knowledge needs your account password',
      );
    }
  }

  async status(userId: string): Promise<VaultStatusResponseDto> {
    const zeroKnowledge = await this.keys.isZeroKnowledge(userId);
    return {
      zeroKnowledge,
      message: zeroKnowledge
        ? 'Zero-knowledge mode: the server holds no copy of your key; encrypted tools of your personal space are unavailable.'
        : 'The server holds your key wrapped by its key-encryption key and can serve the encrypted tools.',
    };
  }

  async key(userId: string): Promise<VaultKeyResponseDto> {
    const key = await this.keys.personalKey(userId);
    return { key: key.toString('base64'), algorithm: ALGORITHM, format: FORMAT, zeroKnowledge: false };
  }

  async enableZeroKnowledge(userId: string): Promise<ZeroKnowledgeResponseDto> {
    const key = await this.keys.enableZeroKnowledge(userId);
    return {
      key: key.toString('base64'),
      algorithm: ALGORITHM,
      format: FORMAT,
      zeroKnowledge: true,
      message:
        'Zero-knowledge mode is on. The server has destroyed its copy of your key; this response is the ' +
        'only time it is returned, so store it now: without it nobody can read the encrypted data of your ' +
        'personal space. Encrypted tools (tasks, notes, journal, mood, calendar, contacts) now fail in your ' +
        'personal space; plaintext tools (habits, spaces) keep working; shared spaces keep their own ' +
        'server-held key.',
    };
  }
}
