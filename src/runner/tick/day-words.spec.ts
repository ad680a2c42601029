import type { BrainTool, FindingReport } from '../brains/brain.js';
import { tellDay } from './day-words.js';
import type { MadeCall } from './tick-call.recorder.js';

const tool = (name: string, extra: Partial<BrainTool> = {}): BrainTool => ({
  name,
  module: name.split('.')[0],
  description: '',
  inputSchema: {},
  ...extra,
});

const TOOLS = new Map<string, BrainTool>([
  [
    'todo.create',
    tool('todo.create', { semantics: { effect: 'create', entity: 'task', idempotent: false, readers: [] } }),
  ],
  [
    'todo.list',
    tool('todo.list', { semantics: { effect: 'list', entity: 'task', idempotent: true, readers: [] } }),
  ],
  [
    'todo.update',
    tool('todo.update', { semantics: { effect: 'update', entity: 'task', idempotent: false, readers: [] } }),
  ],
  ['notes.get', tool('notes.get', { annotations: { readOnlyHint: true } })],
  ['notes.purge', tool('notes.purge', { annotations: { destructiveHint: true } })],
  ['mood.ping', tool('mood.ping')],
]);

let seq = 0;
function call(
  name: string,
  input: Record<string, unknown>,
  ok = true,
  origin: 'brain' | 'oracle' = 'brain',
): MadeCall {
  seq += 1;
  return {
    seq,
    tool: name,
    module: name.split('.')[0],
    origin,
    input,
    result: { ok, text: ok ? '{}' : 'No task 9' },
  };
}

function finding(at: MadeCall, patch: Partial<FindingReport> = {}): FindingReport {
  return {
    seq: at.seq,
    module: at.module,
    tool: at.tool,
    class: 'wrong_result',
    check: 'read-your-writes.list',
    expected: 'the task I created',
    got: 'no such task',
    source: 'oracle',
    ...patch,
  };
}

describe('tellDay', () => {
  beforeEach(() => (seq = 0));

  it('should tell what the persona did per module, with what it was about, in its own voice', () => {
    const calls = [
      call('todo.create', { title: 'Buy   milk' }),
      call('todo.create', { title: 'Call mum' }),
      call('todo.list', {}),
      call('todo.list', {}),
      call('todo.update', { id: 'x', priority: 'high' }),
      call('notes.get', { id: 'n1' }),
      call('notes.purge', {}),
      call('mood.ping', {}),
      call('todo.list', {}, true, 'oracle'),
    ];
    expect(tellDay(calls, [], (n) => TOOLS.get(n))).toEqual([
      'Todo: I added 2 tasks (“Buy milk” and 1 more), changed a task and looked through my tasks twice.',
      'Notes: I deleted things with notes.purge once and looked things up with notes.get once.',
      'Mood: I used mood.ping once.',
      'I double-checked my work with one extra look.',
      'Everything I tried worked the way I expected.',
    ]);
  });

  it('should say what failed and what the checks found, and not blame the app for its own mistakes', () => {
    const made = call('todo.create', { title: 'Pay rent' });
    const failed = call('todo.update', { id: '9' }, false);
    const mistake = call('todo.update', { id: 'bad' }, false);
    const lines = tellDay(
      [made, failed, mistake],
      [
        finding(made),
        finding(failed, { check: 'call.failed', class: 'error', source: 'call' }),
        finding(mistake, { check: 'call.failed', class: 'error', source: 'call', personaMistake: true }),
      ],
      (n) => TOOLS.get(n),
    );
    expect(lines).toContain('One of my calls failed; todo.update answered “No task 9”.');
    expect(lines).toContain('I got one input of my own wrong, and the app told me so.');
    expect(lines).toContain(
      'Something was off with todo.create: I expected the task I created, but got no such task.',
    );
    expect(lines).not.toContain('Everything I tried worked the way I expected.');
  });

  it('should say so when the persona did nothing', () => {
    expect(tellDay([call('todo.list', {}, true, 'oracle')], [], (n) => TOOLS.get(n))).toEqual([
      'I did not get to do anything today.',
    ]);
  });

  it('should never repeat a secret from an input', () => {
    const lines = tellDay([call('todo.create', { title: 'token Bearer abcdefghijklmnopqrstu' })], [], (n) =>
      TOOLS.get(n),
    );
    expect(lines.join(' ')).not.toContain('abcdefghijklmnopqrstu');
  });
});
