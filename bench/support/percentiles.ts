/** Latency samples in ms; sorted once on read (a bench run holds at most a few million). */
export class LatencyRecorder {
  private samples: number[] = [];
  private sorted = true;

  record(ms: number): void {
    this.samples.push(ms);
    this.sorted = false;
  }

  get count(): number {
    return this.samples.length;
  }

  /** Nearest-rank percentile (p in 0–100); NaN without samples. */
  percentile(p: number): number {
    if (this.samples.length === 0) return Number.NaN;
    if (!this.sorted) {
      this.samples.sort((a, b) => a - b);
      this.sorted = true;
    }
    const rank = Math.max(1, Math.ceil((p / 100) * this.samples.length));
    return this.samples[rank - 1];
  }

  summary(): { p50: number; p90: number; p99: number; max: number } {
    return {
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: this.percentile(100),
    };
  }
}

/** Min / median / max of a series of runs (the median of an even count is the mean of the middle two). */
export function spread(values: number[]): { min: number; median: number; max: number } {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return {
    min: finite[0],
    median: (finite[Math.floor((finite.length - 1) / 2)] + finite[Math.floor(finite.length / 2)]) / 2,
    max: finite[finite.length - 1],
  };
}
