/**
 * Is `zone` a time zone Node's Intl understands, spelled like an IANA name (`Europe/Berlin`, `UTC`)?
 * Offsets such as `+02:00`, which Intl also accepts, are refused: the due rules need a named zone.
 */
export function isTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== undefined;
}

/** The canonical spelling of an IANA zone (`europe/berlin` → `Europe/Berlin`), or undefined when it is none. */
export function canonicalTimeZone(zone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
