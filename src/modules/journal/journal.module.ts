import { Module } from '@nestjs/common';
import { FaultsModule } from '../../faults/faults.module.js';
import { SpaceDataModule } from '../common/space-data.module.js';
import { JournalService } from './journal.service.js';
import { JournalTools } from './journal.tools.js';

@Module({
  imports: [SpaceDataModule, FaultsModule],
  providers: [JournalService, JournalTools],
  exports: [JournalService],
})
export class JournalModule {}
