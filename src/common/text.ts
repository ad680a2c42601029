/** Cuts `text` to at most `max` characters, marking a cut with a trailing ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
