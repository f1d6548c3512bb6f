/** Progress lines on stderr (results go to stdout), each with the time since the run started (bench, chaos). */
export class Progress {
  private readonly started = Date.now();

  line(message: string): void {
    const seconds = Math.floor((Date.now() - this.started) / 1000);
    const stamp = `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
    process.stderr.write(`[${stamp}] ${message}\n`);
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}

/** 12345.6 → "12,346"; small values keep decimals. */
export function formatNumber(value: number, decimals?: number): string {
  if (!Number.isFinite(value)) return '—';
  const digits = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
