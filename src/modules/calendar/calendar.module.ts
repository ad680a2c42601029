import { Module } from '@nestjs/common';
import { FaultsModule } from '../../faults/faults.module.js';
import { SpaceDataModule } from '../common/space-data.module.js';
import { CalendarService } from './calendar.service.js';
import { CalendarTools } from './calendar.tools.js';

@Module({
  imports: [SpaceDataModule, FaultsModule],
  providers: [CalendarService, CalendarTools],
  exports: [CalendarService],
})
export class CalendarModule {}
