import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SpacesModule } from '../spaces/spaces.module.js';
import { FieldCipher } from './field-cipher.js';
import { KeyWrapper } from './key-wrapper.js';
import { SpaceKeysService } from './space-keys.service.js';
import { EncryptionVaultService } from './encryption-vault.service.js';
import { EncryptionVaultController } from './encryption-vault.controller.js';
import { EntityCipher } from './entity-cipher.service.js';
import { VaultRateLimitGuard } from './vault-rate-limit.guard.js';

/** Field encryption, per-space data keys and the key vault endpoints. Asks SpacesModule whose space it is. */
@Module({
  imports: [AuthModule, SpacesModule],
  controllers: [EncryptionVaultController],
  providers: [
    FieldCipher,
    KeyWrapper,
    SpaceKeysService,
    EncryptionVaultService,
    EntityCipher,
    VaultRateLimitGuard,
  ],
  exports: [SpaceKeysService, FieldCipher, EntityCipher],
})
export class CryptoModule {}
