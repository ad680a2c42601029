import { Module } from '@nestjs/common';
import { SpaceDataModule } from '../common/space-data.module.js';
import { NotesService } from './notes.service.js';
import { NotesTools } from './notes.tools.js';

@Module({
  imports: [SpaceDataModule],
  providers: [NotesService, NotesTools],
  exports: [NotesService],
})
export class NotesModule {}
