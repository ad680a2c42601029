import { Module } from '@nestjs/common';
import { SpaceDataModule } from '../common/space-data.module.js';
import { CalendarService } from './calendar.service.js';
import { CalendarTools } from './calendar.tools.js';

@Module({
  imports: [SpaceDataModule],
  providers: [CalendarService, CalendarTools],
  exports: [CalendarService],
})
export class CalendarModule {}
