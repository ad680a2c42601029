import { composeNote } from '../../scripted-content.js';
import type { SeededRandom } from '../../seeded-random.js';
import { idOf, itemsOf, rowOf } from '../answers.js';
import type { PlayContext } from '../play-context.js';
import type { Playbook } from './playbook.js';

/**
 * Notes: a scratch line now and then, then a real note on one of its topics; it looks the note up
 * again by a word it wrote (typed in another case) or a phrase of it, then adds to it or renames it,
 * or archives it (and looks through the archive, and sometimes takes it back out). The newbie
 * searches for nothing. With delete tools on, the scratch note goes once the real one exists: it
 * looks the scratch note up by its topic and deletes it from what the search shows.
 */
export const notesPlaybook: Playbook = {
  module: 'notes',
  async play(ctx) {
    if (ctx.confused && ctx.rng.chance(0.3)) {
      await ctx.slip('notes.search', { query: '' });
      return;
    }
    const note = composeNote(ctx.voice, ctx.rng);
    const scratch = ctx.rng.chance(0.35)
      ? idOf(
          rowOf(
            await ctx.call('notes.create', { title: `${ctx.rng.pick(ctx.voice.noteTitles)}: ${note.topic}` }),
            'note',
          ),
        )
      : null;
    const id = idOf(
      rowOf(await ctx.call('notes.create', { title: note.title, content: note.content }), 'note'),
    );
    if (!id) return;
    // the scratch line is in the real note now: it looks the scratch note up, and deletes what it sees
    if (scratch && ctx.has('notes.delete') && ctx.rng.chance(0.8)) {
      const found = await ctx.call('notes.search', { query: note.topic, limit: 10 });
      if (itemsOf(found).some((n) => idOf(n) === scratch)) await ctx.call('notes.delete', { id: scratch });
    }
    const text = `${note.title} ${note.content}`;
    const word = searchableWord(text, ctx.rng);
    const cases = ctx.rng.chance(0.5)
      ? [word.toUpperCase(), word.toLowerCase()]
      : [word.toLowerCase(), word.toUpperCase()];
    const looked = await ctx.call('notes.search', {
      query: cases.find((c) => !text.includes(c)) ?? word,
      limit: 10,
    });
    // it opens the note from what the search shows: a note it cannot find, it cannot work on
    const opened = itemsOf(looked).some((n) => idOf(n) === id);
    const phrase = commonPhraseOf(note.content) ?? phraseOf(note.content, note.topic);
    if (phrase && ctx.rng.chance(0.5)) {
      const query = ctx.rng.chance(0.6) ? phrase : phrase.split(/\W+/).filter(Boolean).reverse().join(' ');
      await ctx.call('notes.search', { query, limit: ctx.rng.pick([3, 10]) });
    }
    if (!opened) return;
    if (ctx.rng.chance(0.5)) await addToIt(ctx, id, note.title, note.content);
    else await putItAway(ctx, id, word);
  },
};

/** A follow-up line, a better title, or both; then it looks for what it added. */
async function addToIt(ctx: PlayContext, id: string, title: string, content: string): Promise<void> {
  const addition = `Also: ${ctx.rng.pick(ctx.voice.topics)} ${ctx.today.weekday.toLowerCase()} follow-up.`;
  const variant = ctx.rng.int(0, 4);
  const input: Record<string, unknown> = { id };
  if (variant <= 2) input.content = `${content}\n${addition}`;
  if (variant >= 2) input.title = `${title.replace(/ \(final\)$/, '')} (final)`;
  const updated = await ctx.call('notes.update', input);
  if (!updated?.ok) return;
  await ctx.call('notes.search', { query: input.content ? 'follow-up' : 'final', limit: 50 });
}

/** Archived; a search, with or without the archive; now and then it wants it back. */
async function putItAway(ctx: PlayContext, id: string, word: string): Promise<void> {
  const archived = await ctx.call('notes.archive', { id });
  if (!archived?.ok) return;
  if (ctx.rng.chance(0.5)) await ctx.call('notes.search', { query: word, limit: 50, includeArchived: true });
  else await ctx.call('notes.search', { query: word, limit: 50 });
  if (ctx.rng.chance(0.45)) await ctx.call('notes.archive', { id, archived: false });
}

/** A common word with the word after it, exactly as written (`the exam`, `for the`): a phrase people search. */
function commonPhraseOf(content: string): string | null {
  return /\b(?:the|my|for|and)\s[A-Za-z]{4,}/i.exec(content)?.[0] ?? null;
}

/** The note's topic with the word after it, exactly as written (`exam counts`, `exam: sources`). */
function phraseOf(content: string, topic: string): string | null {
  const escaped = topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}\\W{1,2}[A-Za-z]{3,}`, 'i').exec(content)?.[0] ?? null;
}

/** A word of the text worth searching for: one of its three longest plain words. */
function searchableWord(text: string, rng: SeededRandom): string {
  const words = [...new Set(text.match(/[A-Za-z]{5,}/g) ?? [])];
  if (words.length === 0) return text.trim().split(/\s+/)[0] ?? text;
  return rng.pick([...words].sort((a, b) => b.length - a.length || a.localeCompare(b)).slice(0, 3));
}
