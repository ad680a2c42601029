import { Module } from '@nestjs/common';
import { SpaceDataModule } from '../common/space-data.module.js';
import { JournalService } from './journal.service.js';
import { JournalTools } from './journal.tools.js';

@Module({
  imports: [SpaceDataModule],
  providers: [JournalService, JournalTools],
  exports: [JournalService],
})
export class JournalModule {}
