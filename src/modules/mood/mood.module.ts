import { Module } from '@nestjs/common';
import { SpaceDataModule } from '../common/space-data.module.js';
import { MoodService } from './mood.service.js';
import { MoodTools } from './mood.tools.js';

@Module({
  imports: [SpaceDataModule],
  providers: [MoodService, MoodTools],
  exports: [MoodService],
})
export class MoodModule {}
