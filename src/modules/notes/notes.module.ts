import { Module } from '@nestjs/common';
import { FaultsModule } from '../../faults/faults.module.js';
import { SpaceDataModule } from '../common/space-data.module.js';
import { NotesService } from './notes.service.js';
import { NotesTools } from './notes.tools.js';

@Module({
  imports: [SpaceDataModule, FaultsModule],
  providers: [NotesService, NotesTools],
  exports: [NotesService],
})
export class NotesModule {}
