import { existsSync, readFileSync } from 'node:fs';

export interface LogLine {
  at: number;
  msg: string;
  department?: string;
}

/** JSON log lines of the gateway whose msg starts with one of `prefixes`. */
export function logLines(files: string[], prefixes: string[]): LogLine[] {
  const out: LogLine[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      let entry: { time?: string; msg?: unknown; department?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      const msg = typeof entry.msg === 'string' ? entry.msg : '';
      if (!prefixes.some((p) => msg.startsWith(p))) continue;
      out.push({
        at: Date.parse(entry.time ?? ''),
        msg,
        department: typeof entry.department === 'string' ? entry.department : undefined,
      });
    }
  }
  return out;
}
