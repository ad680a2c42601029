import { Column } from 'typeorm';

const ENCRYPTED_PROPERTIES = new WeakMap<object, string[]>();

/**
 * A text column stored as `enc:1:…` ciphertext, bound to (table, column, row id). Declaring it here is
 * all an entity does: the SpaceDataRepository encrypts on write and decrypts on read, in one place.
 */
export function EncryptedColumn(options: { name?: string; nullable?: boolean } = {}): PropertyDecorator {
  const column = Column({ type: 'text', name: options.name, nullable: options.nullable ?? false });
  return (target, propertyKey) => {
    column(target, propertyKey);
    const list = ENCRYPTED_PROPERTIES.get(target.constructor) ?? [];
    ENCRYPTED_PROPERTIES.set(target.constructor, [...list, String(propertyKey)]);
  };
}

/** The entity's encrypted property names, in declaration order (empty for plaintext entities). */
export function encryptedPropertiesOf(entity: abstract new () => unknown): readonly string[] {
  return ENCRYPTED_PROPERTIES.get(entity) ?? [];
}
