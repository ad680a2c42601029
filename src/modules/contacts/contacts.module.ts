import { Module } from '@nestjs/common';
import { SpaceDataModule } from '../common/space-data.module.js';
import { ContactsService } from './contacts.service.js';
import { ContactsTools } from './contacts.tools.js';

@Module({
  imports: [SpaceDataModule],
  providers: [ContactsService, ContactsTools],
  exports: [ContactsService],
})
export class ContactsModule {}
