/**
 * The startup banner, for the person at the terminal: plain text lines, unchanged when stdout is not
 * a terminal (or in production); with `color`, the first line is bold and the block is framed so it
 * stands out from the log lines around it.
 */
export function renderBanner(lines: string[], color: boolean): string {
  if (!color) return `\n${lines.join('\n')}\n\n`;
  const [title, ...rest] = lines;
  const rule = `\x1b[36m${'─'.repeat(Math.min(72, Math.max(...lines.map((l) => l.length))))}\x1b[0m`;
  const body = rest.map((line) => `\x1b[36m│\x1b[0m ${line}`);
  return `\n${rule}\n\x1b[36m│\x1b[0m \x1b[1m${title}\x1b[0m\n${body.join('\n')}\n${rule}\n\n`;
}
