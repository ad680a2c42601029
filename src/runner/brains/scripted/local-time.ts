/** `day` at `hour`:00 on the wall clock of `timezone`, as ISO 8601 with that zone's offset that day. */
export function localIso(day: string, hour: number, timezone: string): string {
  const hh = String(Math.min(23, Math.max(0, hour))).padStart(2, '0');
  let offset = 'Z';
  try {
    const probe = new Date(`${day}T${hh}:00:00Z`);
    const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' })
      .formatToParts(probe)
      .find((p) => p.type === 'timeZoneName')?.value;
    const match = name ? /GMT([+-]\d{2}):?(\d{2})?/.exec(name) : null;
    if (match) offset = `${match[1]}:${match[2] ?? '00'}`;
    if (offset === '+00:00' || offset === '-00:00') offset = 'Z';
  } catch {
    offset = 'Z';
  }
  return `${day}T${hh}:00:00${offset}`;
}
