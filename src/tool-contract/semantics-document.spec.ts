import { SemanticsFileError, parseSemanticsDocument } from './semantics-document.js';

const DOC = {
  description: 'a notes server',
  tools: {
    add_note: { effect: 'create', entity: 'note', idempotent: false },
    list_notes: { effect: 'list', entity: 'note', idempotent: true },
  },
};

describe(parseSemanticsDocument.name, () => {
  it('should answer a valid document as given', () => {
    expect(parseSemanticsDocument(DOC, 'semantics')).toBe(DOC);
  });

  it('should refuse an invalid one, opening the message with where it came from', () => {
    expect(() => parseSemanticsDocument({ tools: { x: { effect: 'create' } } }, 'semantics')).toThrow(
      new SemanticsFileError(
        "semantics does not match catalog/semantics.schema.json: /tools/x must have required property 'entity'; /tools/x must have required property 'idempotent'",
      ),
    );
  });
});
