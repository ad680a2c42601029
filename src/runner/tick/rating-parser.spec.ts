import { extractJsonObject, parseFindings, parseRatings } from './rating-parser.js';

const used = ['todo', 'journal'];
const good = {
  ratings: [
    { module: 'todo', rating: 4, notes: 'quick' },
    { module: 'journal', rating: 2, notes: 'slow save' },
  ],
};

describe('parseRatings', () => {
  it('should accept a bare JSON answer', () => {
    const result = parseRatings(JSON.stringify(good), used);
    expect(result).toEqual({
      ok: true,
      ratings: [
        { module: 'todo', rating: 4, notes: 'quick' },
        { module: 'journal', rating: 2, notes: 'slow save' },
      ],
    });
  });

  it('should extract the object from a fenced json block', () => {
    const text = `Here you go:\n\`\`\`json\n${JSON.stringify(good, null, 2)}\n\`\`\`\nThanks!`;
    expect(parseRatings(text, used).ok).toBe(true);
  });

  it('should extract the one object from prose around it, braces in strings included', () => {
    const withBraces = {
      ratings: [
        { module: 'todo', rating: 5, notes: 'the {curly} list worked' },
        { module: 'journal', rating: 3 },
      ],
    };
    const text = `My day was fine. ${JSON.stringify(withBraces)} That is all.`;
    const result = parseRatings(text, used);
    expect(result).toEqual({
      ok: true,
      ratings: [
        { module: 'todo', rating: 5, notes: 'the {curly} list worked' },
        { module: 'journal', rating: 3, notes: null },
      ],
    });
  });

  it('should refuse ratings out of range or not whole', () => {
    const high = parseRatings(JSON.stringify({ ratings: [{ module: 'todo', rating: 6 }] }), ['todo']);
    expect(high).toEqual({ ok: false, error: expect.stringContaining('ratings.0.rating') });
    const frac = parseRatings(JSON.stringify({ ratings: [{ module: 'todo', rating: 3.5 }] }), ['todo']);
    expect(frac.ok).toBe(false);
    const text = parseRatings(JSON.stringify({ ratings: [{ module: 'todo', rating: '4' }] }), ['todo']);
    expect(text.ok).toBe(false);
  });

  it('should refuse a module that was not used, a duplicate and a missing one', () => {
    expect(
      parseRatings(JSON.stringify({ ratings: [...good.ratings, { module: 'mood', rating: 3 }] }), used),
    ).toEqual({ ok: false, error: 'module "mood" was not used today' });
    expect(
      parseRatings(JSON.stringify({ ratings: [...good.ratings, { module: 'todo', rating: 3 }] }), used),
    ).toEqual({ ok: false, error: 'module "todo" is rated twice' });
    expect(parseRatings(JSON.stringify({ ratings: [good.ratings[0]] }), used)).toEqual({
      ok: false,
      error: 'missing ratings for: journal',
    });
  });

  it('should say when there is no JSON at all', () => {
    expect(parseRatings('I liked everything, five stars!', used)).toEqual({
      ok: false,
      error: 'no JSON object found in the answer',
    });
  });
});

describe('extractJsonObject', () => {
  it('should skip an unbalanced brace and find the object after it', () => {
    expect(extractJsonObject('a { b then {"x": 1}')).toEqual({ x: 1 });
  });

  it('should not take a JSON array for the object', () => {
    expect(extractJsonObject('[1,2]')).toBeUndefined();
  });
});

describe('parseFindings', () => {
  const calls = [
    { seq: 0, tool: 'todo.create', module: 'todo' },
    { seq: 1, tool: 'todo.list', module: 'todo' },
    { seq: 2, tool: 'notes.create', module: 'notes' },
  ];

  it('should keep findings about calls the model really made', () => {
    const text = JSON.stringify({
      ratings: [],
      findings: [
        {
          module: 'todo',
          tool: 'todo.list',
          kind: 'wrong_result',
          what: 'my new task was not listed',
          seq: 1,
        },
        { module: 'notes', tool: 'notes.create', kind: 'slow', what: 'took ages' },
      ],
    });
    expect(parseFindings(text, calls)).toEqual({
      findings: [
        {
          module: 'todo',
          tool: 'todo.list',
          kind: 'wrong_result',
          what: 'my new task was not listed',
          seq: 1,
        },
        { module: 'notes', tool: 'notes.create', kind: 'slow', what: 'took ages', seq: null },
      ],
      dropped: [],
    });
  });

  it('should drop malformed findings and findings about calls that never happened, with the reason', () => {
    const text = JSON.stringify({
      findings: [
        { module: 'todo', tool: 'todo.list', kind: 'bad vibes', what: 'meh' },
        { module: 'todo', tool: 'todo.delete', kind: 'error', what: 'failed' },
        { module: 'notes', tool: 'todo.list', kind: 'error', what: 'failed' },
        { module: 'todo', tool: 'todo.list', kind: 'error', what: 'failed', seq: 2 },
        { module: 'todo', tool: 'todo.list', kind: 'error' },
        'not an object',
      ],
    });
    const result = parseFindings(text, calls);
    expect(result.findings).toEqual([]);
    expect(result.dropped.map((d) => d.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.dropped[0].reason).toContain('kind');
    expect(result.dropped[1].reason).toContain('was not called today');
    expect(result.dropped[2].reason).toContain('is not in module');
    expect(result.dropped[3].reason).toContain('call 2 was not a call of todo.list');
    expect(result.dropped[4].reason).toContain('what');
  });

  it('should read an answer without findings as none, and a findings value that is not a list as a drop', () => {
    expect(parseFindings('{"ratings":[]}', calls)).toEqual({ findings: [], dropped: [] });
    expect(parseFindings('{"findings":"lots"}', calls).dropped).toHaveLength(1);
  });
});
