/** Progress lines on stderr (results go to stdout), each with the time since the run started. */
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

/** Seconds with one decimal, for figures. */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
