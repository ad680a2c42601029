import pretty from 'pino-pretty';
import type { PrettyOptions } from 'pino-pretty';

/** What loggerOptions passes to this stream factory. */
export interface PrettyTransportOptions {
  colorize: boolean;
  slowMs: number;
}

type Colors = Parameters<NonNullable<Exclude<PrettyOptions['messageFormat'], string | false>>>[3]['colors'];

/** The runner's per-run summary (RunnerScheduler): the line a person at the terminal looks for. */
const RUNNER_SUMMARY = /^runner: \d+ ticks? \(\d+ ok, (\d+) failed\)/;

/**
 * The development console: pino-pretty as pino's destination stream, one short line per entry —
 * `12:04:05.123 INFO  [Context] message`; a request reads `GET /mcp 403 12 ms`; the runner summary is
 * bold (green, or yellow when a tick failed). Everything else pino-pretty prints as it does. It
 * writes synchronously in this thread (not in a transport worker), so its lines and main.ts's
 * plain writes to stdout appear in the order they were made.
 */
export default function prettyTransport(options: PrettyTransportOptions) {
  return pretty({
    sync: true,
    colorize: options.colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    singleLine: true,
    messageFormat: (log, messageKey, _level, { colors }) => formatLine(log, messageKey, options, colors),
  });
}

export function formatLine(
  log: Record<string, unknown>,
  messageKey: string,
  options: Pick<PrettyTransportOptions, 'slowMs'>,
  colors: Colors,
): string {
  const msg = String(log[messageKey] ?? '');
  const req = log.req as { method?: string; url?: string; id?: string } | undefined;
  const res = log.res as { statusCode?: number | null } | undefined;
  if (req && res && typeof log.responseTime === 'number') {
    const ms = Math.round(log.responseTime);
    const status = res.statusCode ?? 0;
    const paint = status >= 500 ? colors.red : status >= 400 ? colors.yellow : colors.green;
    const slow = ms >= options.slowMs ? colors.yellow(' slow') : '';
    const aborted = msg === 'request aborted' ? colors.yellow(' aborted') : '';
    return `${colors.bold(`${req.method ?? ''} ${req.url ?? ''}`)} ${paint(String(status))} ${ms} ms${slow}${aborted} ${colors.gray(`#${String(req.id ?? '').slice(0, 8)}`)}`;
  }
  const context = typeof log.context === 'string' ? log.context : '';
  const summary = RUNNER_SUMMARY.exec(msg);
  if (summary) {
    const paint = Number(summary[1]) > 0 ? colors.yellow : colors.green;
    return `${colors.cyan(`[${context}]`)} ${colors.bold(paint(`▶ ${msg}`))}`;
  }
  return context ? `${colors.cyan(`[${context}]`)} ${msg}` : msg;
}
