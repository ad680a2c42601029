import { Module } from '@nestjs/common';
import { CryptoModule } from '../../crypto/crypto.module.js';
import { SpaceDataRepository } from './space-data.repository.js';

/** The shared data access of the app modules (space pinning, actor stamping, field encryption). */
@Module({
  imports: [CryptoModule],
  providers: [SpaceDataRepository],
  exports: [SpaceDataRepository],
})
export class SpaceDataModule {}
