import type { DayContext } from './brain.js';

/** The module mix as the brain is told it: each module with its weight and share of the day. */
export function describeModuleMix(mix: Record<string, number>): string {
  const entries = Object.entries(mix).filter(([, weight]) => weight > 0);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  if (entries.length === 0 || total <= 0) return 'no preference: use whatever the day calls for';
  return entries
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(
      ([module, weight]) =>
        `${module} (weight ${weight}, about ${Math.round((weight / total) * 100)}% of your attention)`,
    )
    .join(', ');
}

/** The system prompt of a persona's day: who they are, then how the simulation works. */
export function daySystemPrompt(context: DayContext): string {
  return [
    context.persona.systemPrompt.trim(),
    '',
    'You are this person, using the Mana app for real through its tools. Act only through the tools;',
    'nobody is there to answer questions. Write everything (tasks, notes, journal entries) in your own',
    'voice, as this person would. Mistakes and friction are part of the test: if something fails,',
    'react like this person would (retry, work around it, or give up) and remember how it felt.',
  ].join('\n');
}

/**
 * The memory block of the system prompt: what the persona did on its earlier days, from its own
 * records. It follows the persona's system prompt, so both stay a stable (cacheable) prefix; undefined
 * on a first day.
 */
export function dayMemoryPrompt(context: DayContext): string | undefined {
  const text = context.memory?.text.trim();
  if (!text) return undefined;
  return [
    'What you remember of your earlier days in the app (your own doings, newest last). Carry on from',
    'there where it makes sense: what you created may still be there, and what went wrong may still be wrong.',
    text,
  ].join('\n');
}

/** The first user message: the date in the persona's timezone and the module mix with weights. */
export function dayOpening(context: DayContext): string {
  const { today, persona } = context;
  return [
    `Today is ${today.weekday}, ${today.date}; it is ${today.time} where you are (${persona.timezone}).`,
    `How you spread your time across the app today: ${describeModuleMix(persona.moduleMix)}.`,
    `Go about your day in the app now. You have at most ${context.maxTurns} turns; when you are done,`,
    'say in one or two sentences what you did.',
  ].join('\n');
}

/** The rating turn: the same conversation, one JSON object for exactly the modules used. */
export function ratingPrompt(modulesUsed: readonly string[]): string {
  return [
    'Your day in the app is over. Looking back on what you just did, rate each part of the app you used',
    `today (${modulesUsed.join(', ')}) from 1 (awful) to 5 (excellent), with a short note on why,`,
    'based only on what you experienced (errors, slowness, confusing answers, things that just worked).',
    'Also list what you noticed was wrong: an answer that contradicted what you had done (something you',
    'saved missing or changed, a wrong count, time or order, a field ignored), an error, a slow answer or',
    'a confusing message. Each finding names the tool and its kind: error, slow, wrong_result,',
    'lost_write, contract (ignored an input or did something other than its description says) or',
    'confusing; "seq" is the number of the call that showed it, if you know it. Report only what you',
    'saw happen today; an empty list is fine.',
    'Answer with only this JSON object and nothing else:',
    `{"ratings":[${modulesUsed.map((m) => `{"module":"${m}","rating":<1-5>,"notes":"<why>"}`).join(',')}],` +
      `"findings":[{"module":"<module>","tool":"<tool name>","kind":"<kind>","what":"<expected vs got, short>","seq":<n>}]}`,
  ].join('\n');
}

/** The one repair attempt after an unusable rating answer. */
export function repairPrompt(error: string, modulesUsed: readonly string[]): string {
  return [
    `That answer could not be used: ${error}.`,
    `Reply with only the JSON object {"ratings":[...]}, one entry for each of: ${modulesUsed.join(', ')};`,
    'each rating a whole number from 1 to 5, each with a short "notes" string. No other text.',
  ].join('\n');
}
