import { createHash } from 'node:crypto';
import { canonicalJson, inputHash } from './canonical-json.js';

describe('canonicalJson', () => {
  it('should sort keys at every depth and keep array order', () => {
    const a = { b: 1, a: { z: [3, { y: 2, x: 1 }], c: 'x' } };
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","z":[3,{"x":1,"y":2}]},"b":1}');
  });

  it('should give the same text for inputs that differ only in key order', () => {
    expect(canonicalJson({ title: 't', due: '2025-01-01', tags: ['a', 'b'] })).toBe(
      canonicalJson({ tags: ['a', 'b'], due: '2025-01-01', title: 't' }),
    );
  });

  it('should treat undefined members and non-finite numbers like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: NaN, c: [undefined] })).toBe('{"b":null,"c":[null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('should escape keys and strings as JSON', () => {
    expect(canonicalJson({ 'q"k': 'line\nbreak' })).toBe('{"q\\"k":"line\\nbreak"}');
  });
});

describe('inputHash', () => {
  it('should be the sha256 hex of the canonical JSON', () => {
    const expected = createHash('sha256').update('{"a":1,"b":[2,1]}').digest('hex');
    expect(inputHash({ b: [2, 1], a: 1 })).toBe(expected);
    expect(inputHash({ b: [2, 1], a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should differ when a value or the array order differs', () => {
    expect(inputHash({ a: [1, 2] })).not.toBe(inputHash({ a: [2, 1] }));
    expect(inputHash({ a: 1 })).not.toBe(inputHash({ a: '1' }));
  });
});
