import type { SeededRandom } from './seeded-random.js';

/** How one archetype writes: the raw material the scripted brain composes its day from. */
export interface ArchetypeVoice {
  todos: string[];
  /** Priority the archetype tends to give its tasks, most likely first. */
  priorities: string[];
  /** Topics it keeps coming back to; notes mention them and searches look for them. */
  topics: string[];
  noteTitles: string[];
  noteBodies: string[];
  journalOpenings: string[];
  journalMiddles: string[];
  journalClosings: string[];
  habits: string[];
  /** Mood notes from low (index 0) to high (last). */
  moodNotes: string[];
  events: string[];
  /** What it is usually doing when it logs a mood. */
  activity: string;
  contacts: Array<{ name: string; about: string }>;
  /** How it sounds when something worked, and when something did not. */
  praise: string[];
  complaint: string[];
}

const ADHD_STUDENT: ArchetypeVoice = {
  todos: [
    'Finish stats problem set (the one I keep moving)',
    'Email Prof. Okafor about the lab extension',
    'Buy index cards for flashcards',
    'Read chapter 6 before seminar, at least skim it',
    'Return library books before the fine doubles',
    'Start the history essay outline — just the outline',
    'Refill prescription',
    'Clean desk so I can actually study at it',
  ],
  priorities: ['high', 'urgent', 'medium'],
  topics: ['exam', 'essay', 'flashcards', 'lab'],
  noteTitles: ['Lecture scribbles', 'Essay ideas before I forget', 'Exam prep plan v3', 'Random brain dump'],
  noteBodies: [
    'Key idea from today: the {topic} counts for 40% so start early this time. Pomodoro 25/5 works if phone is in the other room.',
    'Three things for the {topic}: sources, a thesis that is not boring, and a deadline I set myself two days before the real one.',
    'Remember: {topic} stuff goes here, NOT on sticky notes. Sticky notes fall off.',
  ],
  journalOpenings: [
    'Woke up late again but made it to the 10am lecture, barely.',
    'Today started with good intentions and three open tabs of the same article.',
    'Hyperfocused on the wrong thing for two hours this morning.',
  ],
  journalMiddles: [
    'Got the flashcards half done, which honestly counts as a win.',
    'The library was quiet enough that I actually finished a reading.',
    'Forgot lunch, remembered at 4pm, ate cereal standing up.',
  ],
  journalClosings: [
    'Tomorrow: one task at a time. Write it down first.',
    'Proud of the small stuff today. Trying to keep the streak going.',
    'Need to stop starting five things and finish one.',
  ],
  habits: ['Take meds at 8', 'Pomodoro session', 'Phone in drawer while studying', 'Drink water'],
  moodNotes: [
    'Overwhelmed, everything feels due at once.',
    'Scattered but okay.',
    'Focused for once, it felt great.',
  ],
  events: ['Study group in the library', 'Office hours with TA', 'Stats midterm', 'Lab session'],
  activity: 'study',
  contacts: [
    { name: 'Jonas Weber', about: 'study buddy from stats, good notes' },
    { name: 'Priya Nair', about: 'lab partner, prefers texts over email' },
  ],
  praise: ['that was quick, I did not lose my train of thought', 'easy enough that I actually used it'],
  complaint: ['that broke my focus completely', 'I got lost and almost gave up'],
};

const CEO_BUSY: ArchetypeVoice = {
  todos: [
    'Approve Q3 hiring plan',
    'Review board deck v4 before Thursday',
    'Call back the lead investor',
    'Sign off on the pricing change',
    'Prep talking points for all-hands',
    '1:1 follow-ups: send notes to the leads',
    'Decide on the office lease renewal',
  ],
  priorities: ['urgent', 'high', 'high', 'medium'],
  topics: ['board', 'hiring', 'pricing', 'runway'],
  noteTitles: ['Board prep', 'Decisions log', '1:1 notes', 'Strategy thoughts'],
  noteBodies: [
    'Decision: {topic} — go. Owner: COO. Review in two weeks. Risks noted, acceptable.',
    '{topic}: three options on the table. Need the numbers by Friday, not opinions.',
    'Key point for the {topic} discussion: focus beats breadth. Cut two initiatives.',
  ],
  journalOpenings: [
    'Back-to-back from 7am, first break at 2.',
    'Board prep ate the morning.',
    'Started with the investor call; went better than expected.',
  ],
  journalMiddles: [
    'Delegated the pricing analysis; need to trust the team more.',
    'Two hard conversations today, both necessary.',
    'Inbox is a disaster but the important things moved.',
  ],
  journalClosings: [
    'Tomorrow: protect the morning for deep work.',
    'Energy is low. Sleep before anything else.',
    'Good day overall. Ship the decision memo first thing.',
  ],
  habits: ['Morning run', 'No meetings before 9', 'Inbox zero by 6pm', 'Read 20 pages'],
  moodNotes: ['Drained, too many meetings.', 'Busy but in control.', 'Sharp and decisive today.'],
  events: ['Board meeting', 'Investor call', 'All-hands', 'Leadership offsite planning'],
  activity: 'work',
  contacts: [
    { name: 'Martina Ruiz', about: 'lead investor, prefers calls before 10' },
    { name: 'Tom Becker', about: 'COO, owns hiring plan' },
  ],
  praise: ['fast, no friction, exactly what I need between meetings', 'did the job in seconds'],
  complaint: ['I do not have time for this to fail', 'that cost me minutes I did not have'],
};

const CREATIVE_PARENT: ArchetypeVoice = {
  todos: [
    'Pack swim bag for Mia',
    'Finish illustration sketches for the client',
    'Book pediatrician appointment',
    'Order new watercolor paper',
    'Plan birthday party snacks',
    'Send invoice for the mural job',
    'Parent-teacher meeting prep',
  ],
  priorities: ['medium', 'high', 'low'],
  topics: ['sketch', 'school', 'birthday', 'mural'],
  noteTitles: ['Idea board', 'Kids schedule', 'Client brief notes', 'Things Mia said'],
  noteBodies: [
    '{topic} idea: soft greens and a fox in the corner, the kids loved the fox.',
    'For the {topic}: pick up supplies Tuesday, school pickup at 3:15 sharp.',
    'Note to self about the {topic}: keep it playful, the client wants warmth not polish.',
  ],
  journalOpenings: [
    'School run chaos, one missing shoe, found it in the fridge somehow.',
    'Managed a whole hour of painting during nap time.',
    'Rainy day at home with two kids and a deadline.',
  ],
  journalMiddles: [
    'The client liked the sketches, with two small changes.',
    'We baked bread together; the kitchen is a flour disaster.',
    'Felt torn between work and being present again.',
  ],
  journalClosings: [
    'Grateful for the small quiet moments.',
    'Tomorrow I want to paint before everyone wakes up.',
    'Tired but happy. Bedtime stories won.',
  ],
  habits: ['Sketch daily', 'Family dinner without phones', 'Evening walk', 'Read to the kids'],
  moodNotes: ['Stretched thin today.', 'Tired but content.', 'Creative and light, good day.'],
  events: ['Swim lesson', 'Client call about the mural', 'Parent-teacher meeting', 'Playdate at the park'],
  activity: 'family',
  contacts: [
    { name: 'Lena Hoffmann', about: 'other swim mom, carpool on Tuesdays' },
    { name: 'Dr. Amal Haddad', about: 'pediatrician, call mornings' },
  ],
  praise: ['simple, I could do it one-handed while stirring soup', 'lovely, it just worked'],
  complaint: ['too fiddly with a kid on my lap', 'confusing, I gave up and used paper'],
};

const SOLO_DEV: ArchetypeVoice = {
  todos: [
    'Fix the flaky login test',
    'Write changelog for v0.9',
    'Bump dependencies and run the suite',
    'Answer the GitHub issue about Windows paths',
    'Set up backups for the prod database',
    'Refactor the billing webhook handler',
    'Draft the launch post',
  ],
  priorities: ['high', 'medium', 'medium', 'low'],
  topics: ['deploy', 'bug', 'release', 'refactor'],
  noteTitles: ['Debug log', 'Release checklist', 'Architecture notes', 'Ideas backlog'],
  noteBodies: [
    '{topic}: the race shows up only under load. Repro: two requests within 5 ms. Suspect the cache.',
    'Before the {topic}: migrations dry-run, tag, changelog, then announce.',
    '{topic} thought: keep the queue dumb, put the logic in the worker.',
  ],
  journalOpenings: [
    'Spent the morning chasing a bug that was a typo.',
    'Shipped a small release before lunch.',
    'Deep work block went well, no notifications.',
  ],
  journalMiddles: [
    'A user emailed to say thanks, which made the week.',
    'Wrote more tests than code today, feels right.',
    'Got stuck on a design question and went for a walk.',
  ],
  journalClosings: [
    'Tomorrow: the boring but important backups.',
    'Need to stop gold-plating and ship.',
    'Good flow today. Logging off on time for once.',
  ],
  habits: ['Commit daily', 'Walk at lunch', 'No Slack after 7', 'Write 200 words of docs'],
  moodNotes: ['Burned out, too many fires.', 'Steady.', 'In the zone, great day.'],
  events: ['Release window', 'Call with a beta user', 'Co-working Friday', 'Dentist'],
  activity: 'work',
  contacts: [
    { name: 'Sam Oduya', about: 'beta user, reports good bugs' },
    { name: 'Ines Carvalho', about: 'freelance designer for the landing page' },
  ],
  praise: ['snappy and predictable, the API did what the schema said', 'no surprises, good'],
  complaint: ['the error message did not tell me which field was wrong', 'felt slow for such a small call'],
};

const RESEARCHER: ArchetypeVoice = {
  todos: [
    'Run the robustness check on model B',
    'Respond to reviewer 2',
    'Clean the survey dataset',
    'Draft the methods section',
    'Book the lab for the pilot study',
    'Read the Nakamura 2021 paper properly',
  ],
  priorities: ['medium', 'high', 'low'],
  topics: ['hypothesis', 'dataset', 'reviewer', 'methods'],
  noteTitles: ['Reading notes', 'Analysis log', 'Paper outline', 'Open questions'],
  noteBodies: [
    '{topic}: effect holds after controlling for age, shrinks by a third. Check the interaction term.',
    'On the {topic}: n=214 after exclusions. Document every exclusion rule in the appendix.',
    'Idea about the {topic}: maybe the null result is the finding. Talk to the supervisor.',
  ],
  journalOpenings: [
    'Long day in the data.',
    'Reviewer comments arrived; harsher than hoped but fair.',
    'Quiet morning with two papers and a lot of coffee.',
  ],
  journalMiddles: [
    'The pilot numbers look promising but the sample is tiny.',
    'Rewrote the introduction for the third time.',
    'Good discussion with the lab group about the design.',
  ],
  journalClosings: [
    'Tomorrow: write before reading.',
    'Slow progress is still progress.',
    'Need to be stricter with my scope.',
  ],
  habits: ['Write 500 words', 'Read one paper', 'Back up the data', 'Stretch every hour'],
  moodNotes: ['Frustrated with the analysis.', 'Neutral, methodical day.', 'Excited about a result.'],
  events: ['Lab meeting', 'Supervisor check-in', 'Conference abstract deadline', 'Pilot session'],
  activity: 'work',
  contacts: [
    { name: 'Prof. Hana Kim', about: 'supervisor, Tuesday check-ins' },
    { name: 'Diego Alvarez', about: 'co-author, stats lead' },
  ],
  praise: ['reliable, and I could find my earlier notes again', 'precise and consistent'],
  complaint: ['inconsistent results undermine my trust in it', 'I could not tell what went wrong'],
};

const FREELANCER: ArchetypeVoice = {
  todos: [
    'Send invoice #214 to Brightside',
    'Chase the overdue payment from Q2',
    'Quote for the new website project',
    'Update portfolio with the last two jobs',
    'Tax receipts into the folder',
    'Client revisions round 2',
  ],
  priorities: ['high', 'medium', 'urgent'],
  topics: ['invoice', 'client', 'quote', 'deadline'],
  noteTitles: ['Client brief', 'Rates and quotes', 'Project log', 'Admin to-dos'],
  noteBodies: [
    '{topic}: 50% upfront, rest on delivery. Put it in writing this time.',
    'About the {topic}: scope creep again. Next change is billable, say it kindly.',
    '{topic} notes: call went well, they want it by the 20th. Padding one week.',
  ],
  journalOpenings: [
    'Juggled three clients today.',
    'Slow morning, then a burst of real work after lunch.',
    'Finally got paid for the July job.',
  ],
  journalMiddles: [
    'Said no to a lowball offer. Felt good.',
    'Admin took half the day again.',
    'A new lead came in through a referral.',
  ],
  journalClosings: [
    'Tomorrow: invoices first, creative work second.',
    'Need a proper weekend this time.',
    'Happy with the work, less happy with the cash flow.',
  ],
  habits: ['Track hours', 'Send invoices on Fridays', 'Lunch away from desk', 'Stretch'],
  moodNotes: ['Anxious about money.', 'Busy, fine.', 'Confident, good client feedback.'],
  events: ['Kickoff call with Brightside', 'Portfolio review', 'Coworking day', 'Accountant meeting'],
  activity: 'work',
  contacts: [
    { name: 'Claire Dubois', about: 'Brightside project lead, pays late' },
    { name: 'Omar Farouk', about: 'accountant, send receipts quarterly' },
  ],
  praise: ['quick and businesslike', 'saved me admin time'],
  complaint: ['time is money and that wasted some', 'unreliable for client work'],
};

const OVERWHELMED_NEWBIE: ArchetypeVoice = {
  todos: [
    'figure out how this app works',
    'groceries??',
    'call mom back',
    'that thing for work',
    'pay electricity bill',
    'try the habit thing',
  ],
  priorities: ['medium', 'low', 'urgent'],
  topics: ['help', 'groceries', 'work', 'bills'],
  noteTitles: ['test', 'note 1', 'stuff to remember', 'how do I use this'],
  noteBodies: [
    'not sure where this goes. {topic} things I guess',
    'writing this down so I do not forget: {topic}. is this saved?',
    'trying notes. {topic}. ok.',
  ],
  journalOpenings: ['Not sure what to write here.', 'First time trying a journal app.', 'Today was a lot.'],
  journalMiddles: [
    'Work was confusing and so is this app a bit.',
    'I made a list but then lost it.',
    'Tried to organize things, not sure it worked.',
  ],
  journalClosings: ['Maybe tomorrow is easier.', 'I will try again tomorrow.', 'ok that is it.'],
  habits: ['drink water', 'sleep before midnight', 'walk'],
  moodNotes: ['Confused and tired.', 'Meh.', 'Actually ok today.'],
  events: ['doctor?', 'work meeting', 'call with mom'],
  activity: 'chores',
  contacts: [{ name: 'Mom', about: 'call on Sundays' }],
  praise: ['oh nice, that worked', 'easier than I expected'],
  complaint: ['I did not understand what went wrong', 'it said error and I do not know why'],
};

const VOICES: Record<string, ArchetypeVoice> = {
  'adhd-student': ADHD_STUDENT,
  'ceo-busy': CEO_BUSY,
  'creative-parent': CREATIVE_PARENT,
  'solo-dev': SOLO_DEV,
  researcher: RESEARCHER,
  freelancer: FREELANCER,
  'overwhelmed-newbie': OVERWHELMED_NEWBIE,
};

/** The archetype's voice; an archetype the scripted brain does not know speaks like a freelancer. */
export function voiceOf(archetype: string): ArchetypeVoice {
  return VOICES[archetype] ?? FREELANCER;
}

export const KNOWN_ARCHETYPES = Object.keys(VOICES);

/** The archetype that sends invalid input and does things in a confused order. */
export const CONFUSED_ARCHETYPE = 'overwhelmed-newbie';

export function composeJournal(voice: ArchetypeVoice, rng: SeededRandom): string {
  return [
    rng.pick(voice.journalOpenings),
    rng.pick(voice.journalMiddles),
    rng.pick(voice.journalClosings),
  ].join(' ');
}

export function composeNote(
  voice: ArchetypeVoice,
  rng: SeededRandom,
): { title: string; content: string; topic: string } {
  const topic = rng.pick(voice.topics);
  return {
    title: `${rng.pick(voice.noteTitles)} (${topic})`,
    content: rng.pick(voice.noteBodies).replace('{topic}', topic),
    topic,
  };
}
