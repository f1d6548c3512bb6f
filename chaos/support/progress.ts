/** The bench's progress lines (time since the run started, on stderr). */
export { Progress } from '../../bench/support/progress';

/** Seconds with one decimal, for figures. */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
