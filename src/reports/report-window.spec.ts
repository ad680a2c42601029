import { ReportException } from './reports.exception.js';
import {
  bucketStarts,
  decodeTickCursor,
  encodeTickCursor,
  parseInstant,
  resolveOpenRange,
  resolveRange,
} from './report-window.js';

const NOW = new Date('2025-03-20T12:00:00.000Z');

describe(resolveRange.name, () => {
  it('should default to the 28 days before now', () => {
    const r = resolveRange({}, NOW);
    expect(r.to).toEqual(NOW);
    expect(r.from.toISOString()).toBe('2025-02-20T12:00:00.000Z');
  });

  it('should read a value without an offset as UTC', () => {
    expect(parseInstant('from', '2025-03-01T08:00').toISOString()).toBe('2025-03-01T08:00:00.000Z');
    expect(parseInstant('from', '2025-03-01').toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(parseInstant('to', '2025-03-01T08:00:00+02:00').toISOString()).toBe('2025-03-01T06:00:00.000Z');
  });

  it('should refuse from after to and ranges over 366 days, naming the parameters', () => {
    expect(() => resolveRange({ from: '2025-03-02', to: '2025-03-01' }, NOW)).toThrow(
      /from must be before to/,
    );
    expect(() => resolveRange({ from: '2024-01-01', to: '2025-03-01' }, NOW)).toThrow(/at most 366/);
    expect(() => resolveRange({ from: '2024-03-01', to: '2025-03-01' }, NOW)).not.toThrow();
    expect(() => resolveOpenRange({ from: '2025-03-02', to: '2025-03-02' })).toThrow(ReportException);
    expect(resolveOpenRange({ to: '2025-03-02' })).toEqual({ from: undefined, to: new Date('2025-03-02') });
  });

  it('should refuse years outside 1900–9999', () => {
    expect(() => parseInstant('from', '0001-01-01')).toThrow(/from is not a date/);
  });
});

describe(decodeTickCursor.name, () => {
  it('should round-trip microsecond timestamps and refuse garbage', () => {
    const c = { startedAt: '2025-03-01T08:00:00.123456Z', id: '5f0c7e55-8d38-4e0f-9d0b-2b4c1d7c2a10' };
    expect(decodeTickCursor(encodeTickCursor(c))).toEqual(c);
    expect(() => decodeTickCursor('bm9wZQ')).toThrow(/cursor is not valid/);
  });
});

describe(bucketStarts.name, () => {
  it('should list Monday-started weeks and days covering the range', () => {
    // 2025-03-05 is a Wednesday: its week starts on Monday 2025-03-03
    expect(bucketStarts(new Date('2025-03-05T10:00Z'), new Date('2025-03-18T00:00Z'), 'week')).toEqual([
      '2025-03-03',
      '2025-03-10',
      '2025-03-17',
    ]);
    expect(bucketStarts(new Date('2025-03-05T10:00Z'), new Date('2025-03-07T00:00Z'), 'day')).toEqual([
      '2025-03-05',
      '2025-03-06',
    ]);
  });
});
