import { KeyUnavailableError } from './key-unavailable.error.js';

/**
 * The account is in zero-knowledge mode: the server holds no copy of the personal key, so it can
 * neither read nor write the encrypted fields of the personal space. Plaintext tools still work.
 */
export class ZeroKnowledgeUserError extends KeyUnavailableError {
  constructor() {
    super(
      'This account is in zero-knowledge mode: the server no longer holds its encryption key, so it ' +
        'cannot read or write the encrypted data of this space (tasks, notes, journal, mood notes, ' +
        'calendar, contacts). Use your own client with your key for those; plaintext tools (habits, ' +
        'spaces) still work.',
      'ZERO_KNOWLEDGE',
    );
    this.name = 'ZeroKnowledgeUserError';
  }
}
