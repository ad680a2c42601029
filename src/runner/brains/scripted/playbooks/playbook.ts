import type { PlayContext } from '../play-context.js';
import { calendarPlaybook } from './calendar.playbook.js';
import { contactsPlaybook } from './contacts.playbook.js';
import { habitsPlaybook } from './habits.playbook.js';
import { journalPlaybook } from './journal.playbook.js';
import { moodPlaybook } from './mood.playbook.js';
import { notesPlaybook } from './notes.playbook.js';
import { spacesPlaybook } from './spaces.playbook.js';
import { todoPlaybook } from './todo.playbook.js';

/**
 * How a persona uses one module of the app: what it does, in what order, with what content in its
 * archetype's voice. A playbook only decides; it never judges an answer (the oracle engine does). It
 * may read an answer to choose its next step (an id to complete; nothing there, so skip).
 */
export interface Playbook {
  /** The module, as in the persona's module mix and the tools' names (`todo`). */
  readonly module: string;
  play(ctx: PlayContext): Promise<void>;
}

/** Every module the scripted brain can play. A new module: one file, one line here. */
export const PLAYBOOKS: readonly Playbook[] = [
  todoPlaybook,
  notesPlaybook,
  journalPlaybook,
  habitsPlaybook,
  moodPlaybook,
  calendarPlaybook,
  contactsPlaybook,
  spacesPlaybook,
];
