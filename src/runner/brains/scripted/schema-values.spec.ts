import { Ajv } from 'ajv';
import { SeededRandom } from '../seeded-random.js';
import { inputFor } from './schema-values.js';
import type { ValueSource } from './schema-values.js';

// formats are checked below, field by field (ajv-formats is not a dependency of the project)
const ajv = new Ajv({ strict: false, validateFormats: false });
const FORMATS: Record<string, RegExp> = {
  due: /^\d{4}-\d{2}-\d{2}$/,
  at: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/,
  email: /^[^@\s]+@[^@\s]+\.[a-z]+$/,
};

const source = (seed: string): ValueSource => ({
  rng: new SeededRandom(seed),
  words: ['Plan the trip', 'a much longer sentence about the week ahead and everything in it'],
  marker: 'p-abc1234',
  today: '2026-12-05',
});

/** Input schemas as third-party servers publish them (server-memory, server-everything, a form). */
const SCHEMAS: Record<string, Record<string, unknown>> = {
  createEntities: {
    type: 'object',
    properties: {
      entities: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            entityType: { type: 'string' },
            observations: { type: 'array', items: { type: 'string' } },
          },
          required: ['name', 'entityType', 'observations'],
        },
      },
    },
    required: ['entities'],
  },
  sum: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  form: {
    type: 'object',
    additionalProperties: false,
    properties: {
      title: { type: 'string', minLength: 3, maxLength: 12 },
      due: { type: 'string', format: 'date' },
      at: { type: 'string', format: 'date-time' },
      email: { type: 'string', format: 'email' },
      priority: { enum: ['low', 'high'] },
      count: { type: 'integer', minimum: 2, maximum: 4 },
      ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      step: { type: 'integer', multipleOf: 5, minimum: 1, maximum: 20 },
      tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 3 },
      note: { anyOf: [{ type: 'string', maxLength: 40 }, { type: 'null' }] },
      kind: { const: 'task' },
    },
    required: ['title', 'due', 'priority', 'count', 'tags', 'kind'],
  },
};

describe('inputFor (input made up from a tool input schema)', () => {
  it.each(Object.keys(SCHEMAS))('should make input the %s schema accepts, for every seed', (name) => {
    const validate = ajv.compile(SCHEMAS[name]);
    for (let i = 0; i < 60; i += 1) {
      const input = inputFor(SCHEMAS[name], source(`seed-${i}`), 0.5);
      expect(input).toBeDefined();
      expect({ seed: i, input, errors: validate(input) ? null : validate.errors }).toMatchObject({
        errors: null,
      });
      for (const [field, format] of Object.entries(FORMATS)) {
        if (name === 'form' && input![field] !== undefined) expect(input![field]).toMatch(format);
      }
    }
  });

  it('should put the persona marker into free text, and keep it when the text is cut short', () => {
    const input = inputFor(SCHEMAS.createEntities, source('m'))!;
    const entity = (input.entities as Array<Record<string, unknown>>)[0];
    expect(entity.name).toContain('p-abc1234');
    const short = inputFor(
      { type: 'object', properties: { t: { type: 'string', maxLength: 12 } }, required: ['t'] },
      source('s'),
    )!;
    expect(short.t).toBe('p-abc1234 a'.slice(0, 12).trimEnd());
  });

  it.each([
    [
      'a pattern',
      { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}$' } }, required: ['id'] },
    ],
    [
      'an unknown format',
      { type: 'object', properties: { ip: { type: 'string', format: 'ipv6' } }, required: ['ip'] },
    ],
    ['a `not`', { type: 'object', properties: { x: { not: { type: 'string' } } }, required: ['x'] }],
    [
      'an impossible range',
      { type: 'object', properties: { n: { type: 'integer', minimum: 5, maximum: 4 } }, required: ['n'] },
    ],
  ])('should leave the tool alone when a required field has %s', (_why, schema) => {
    expect(inputFor(schema, source('x'))).toBeUndefined();
  });

  it('should leave out an optional field it cannot make, and keep the rest', () => {
    const schema = {
      type: 'object',
      properties: { q: { type: 'string' }, id: { type: 'string', pattern: '^x' } },
      required: ['q'],
    };
    for (let i = 0; i < 20; i += 1) {
      const input = inputFor(schema, source(`o-${i}`), 1)!;
      expect(Object.keys(input)).toEqual(['q']);
    }
  });
});
