import type { ScenarioResult } from './scenario';

/** `PASS crash-storm cases=300 lost=0 …` (and, when failed, what failed). */
export function resultLine(result: ScenarioResult): string {
  const figures = Object.entries(result.figures)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
  const failed = result.failures.length > 0 ? ` — ${result.failures.join('; ')}` : '';
  return `${result.pass ? 'PASS' : 'FAIL'} ${result.name} ${figures} (${result.durationSeconds} s)${failed}`;
}

export function summary(results: ScenarioResult[], elapsedSeconds: number): string {
  const passed = results.filter((r) => r.pass).length;
  return [
    ...results.map(resultLine),
    `${passed}/${results.length} scenarios passed in ${Math.round(elapsedSeconds / 6) / 10} min`,
  ].join('\n');
}
