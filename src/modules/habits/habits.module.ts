import { Module } from '@nestjs/common';
import { SpaceDataModule } from '../common/space-data.module.js';
import { HabitLogsRepository } from './habit-logs.repository.js';
import { HabitsService } from './habits.service.js';
import { HabitsTools } from './habits.tools.js';

@Module({
  imports: [SpaceDataModule],
  providers: [HabitsService, HabitLogsRepository, HabitsTools],
  exports: [HabitsService],
})
export class HabitsModule {}
