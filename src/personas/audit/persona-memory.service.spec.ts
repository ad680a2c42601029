import { memoryText } from './persona-memory.service.js';
import type { MemoryTickRow } from './persona-memory.repository.js';

const day = (n: number, extra: Partial<MemoryTickRow> = {}): MemoryTickRow => ({
  tickId: `tick-${n}`,
  date: `2031-05-0${n}`,
  status: 'ok',
  calls: [
    { tool: 'todo.create', module: 'todo', ok: true },
    { tool: 'todo.create', module: 'todo', ok: false },
    { tool: 'notes.search', module: 'notes', ok: true },
  ],
  ratings: [{ module: 'todo', rating: 4, notes: `fine on day ${n}` }],
  findings: [],
  ...extra,
});

describe('memoryText', () => {
  it('should name the date, modules, calls that worked and failed, ratings with notes and findings', () => {
    const text = memoryText(
      [
        day(1, {
          status: 'budget_exceeded',
          findings: [
            { module: 'notes', tool: 'notes.search', class: 'lost_write', check: 'read-your-writes.search' },
          ],
        }),
      ],
      4000,
    );
    expect(text).toBe(
      '- 2031-05-01 (ended budget_exceeded); used notes, todo; calls: todo.create ok×1, todo.create failed×1, ' +
        'notes.search ok×1; rated todo 4/5 ("fine on day 1"); reported lost_write in notes.search ' +
        '(read-your-writes.search).',
    );
  });

  it('should keep the newest days that fit and list them oldest first', () => {
    const ticks = [day(1), day(2), day(3), day(4)];
    const one = memoryText([day(4)], 4000).length;
    const text = memoryText(ticks, one * 2 + 2);
    expect(text.split('\n').map((l) => l.slice(2, 12))).toEqual(['2031-05-03', '2031-05-04']);
    expect(text.length).toBeLessThanOrEqual(one * 2 + 2);
  });

  it('should clip the newest day when even it alone is too long, and skip days with nothing done', () => {
    const text = memoryText([day(1), day(2, { calls: [], ratings: [] })], 40);
    expect(text.length).toBeLessThanOrEqual(40);
    expect(text.startsWith('- 2031-05-01')).toBe(true);
    expect(memoryText([day(2, { calls: [], ratings: [] })], 400)).toBe('');
  });
});
