import { callsPerRun, pollGapMs, pollTickMs } from '../../src/tracking/tracking-schedule';

describe('status polling schedule', () => {
  const polling = { initialIntervalMs: 60_000, maxIntervalMs: 3_600_000, callsPerMinute: 60 };

  it('starts at the initial interval and doubles the gap after each unchanged answer', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => pollGapMs(n, polling))).toEqual([
      60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000,
    ]);
  });

  it('never exceeds maxIntervalMs, however many unchanged answers', () => {
    expect(pollGapMs(6, polling)).toBe(3_600_000);
    expect(pollGapMs(1_000, polling)).toBe(3_600_000);
    expect(pollGapMs(Number.MAX_SAFE_INTEGER, polling)).toBe(3_600_000);
  });

  it('uses the initial interval when maxIntervalMs is set below it', () => {
    expect(pollGapMs(3, { ...polling, maxIntervalMs: 1_000 })).toBe(60_000);
  });

  it('treats a negative or fractional count as its floor, never below the initial interval', () => {
    expect(pollGapMs(-3, polling)).toBe(60_000);
    expect(pollGapMs(1.9, polling)).toBe(120_000);
  });

  it('looks for due deliveries every half initial interval, between 100 ms and 5 s', () => {
    expect(pollTickMs({ initialIntervalMs: 60_000 })).toBe(5_000);
    expect(pollTickMs({ initialIntervalMs: 4_000 })).toBe(2_000);
    expect(pollTickMs({ initialIntervalMs: 150 })).toBe(100);
  });

  it('spreads the minute budget over the runs of a minute, at least one call a run', () => {
    // 60 a minute, a run every 5 s: 12 runs a minute of 5 calls.
    expect(callsPerRun({ callsPerMinute: 60 }, 5_000)).toBe(5);
    // 6 a minute, a run every 100 ms: one call a run (the budget stops the seventh).
    expect(callsPerRun({ callsPerMinute: 6 }, 100)).toBe(1);
    // Rounded up, so the whole budget can be spent within the minute.
    expect(callsPerRun({ callsPerMinute: 7 }, 5_000)).toBe(1);
    expect(callsPerRun({ callsPerMinute: 25 }, 5_000)).toBe(3);
  });
});
