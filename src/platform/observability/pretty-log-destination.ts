import type { DestinationStream } from 'pino';

const LEVEL_COLOURS: Readonly<Record<string, string>> = { trace: '90', debug: '90', info: '36', warn: '33', error: '31', fatal: '35' };
/** Fields every line carries or that the line's head already shows. */
const HIDDEN_FIELDS = new Set(['time', 'level', 'msg', 'role', 'pid', 'hostname']);

/**
 * LOG_FORMAT=pretty: each JSON line pino writes (already redacted) becomes `12:04:05 INFO  message key=value`,
 * for a person at a terminal. Log pipelines keep LOG_FORMAT=json.
 */
export function prettyLogDestination(out: NodeJS.WritableStream & { isTTY?: boolean }): DestinationStream {
  const colour = (code: string, text: string) => (out.isTTY ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    write(line: string): void {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const level = String(entry.level ?? 'info');
      const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
      const fields = Object.entries(entry)
        .filter(([key]) => !HIDDEN_FIELDS.has(key))
        .map(([key, value]) => `${colour('90', `${key}=`)}${typeof value === 'string' ? value : JSON.stringify(value)}`);
      out.write(
        `${colour('90', time)} ${colour(LEVEL_COLOURS[level] ?? '0', level.toUpperCase().padEnd(5))} ${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`,
      );
    },
  };
}
