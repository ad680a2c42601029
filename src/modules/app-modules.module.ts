import { Module } from '@nestjs/common';
import { CryptoModule } from '../crypto/crypto.module.js';
import { HabitsModule } from './habits/habits.module.js';
import { SpacesToolsModule } from './spaces/spaces-tools.module.js';
import { TodoModule } from './todo/todo.module.js';
import { NotesModule } from './notes/notes.module.js';
import { JournalModule } from './journal/journal.module.js';
import { MoodModule } from './mood/mood.module.js';
import { CalendarModule } from './calendar/calendar.module.js';
import { ContactsModule } from './contacts/contacts.module.js';

/** The app the personas use: every module whose @Tool methods the ToolRegistry discovers. */
@Module({
  imports: [
    CryptoModule,
    HabitsModule,
    SpacesToolsModule,
    TodoModule,
    NotesModule,
    JournalModule,
    MoodModule,
    CalendarModule,
    ContactsModule,
  ],
})
export class AppModulesModule {}
