import { daysToBuild } from '../../src/insights/stats/rollup/days-to-build';
import { bucketOf, DurationHistogram, slotOf } from '../../src/insights/stats/rollup/duration-histogram';
import { GroupTallies, storedTally } from '../../src/insights/stats/rollup/group-tallies';
import { StatsRollupSettings } from '../../src/insights/stats/rollup/stats-rollup-settings';
import {
  beijingDay,
  dayLabel,
  dayRuns,
  dayStart,
  planRange,
  wholeDays,
} from '../../src/insights/stats/stats-days';

const at = (iso: string) => new Date(iso);
/** 2026-03-02 in Beijing, as MariaDB's TO_DAYS numbers it. */
const MARCH_2 = 740_042;

describe('Beijing days', () => {
  it("numbers days as TO_DAYS(created_at + INTERVAL 8 HOUR) and starts them at Beijing's midnight", () => {
    expect(dayLabel(MARCH_2)).toBe('2026-03-02');
    expect(beijingDay(at('2026-03-01T16:00:00.000Z'))).toBe(MARCH_2);
    expect(beijingDay(at('2026-03-01T15:59:59.999Z'))).toBe(MARCH_2 - 1);
    expect(dayStart(MARCH_2)).toEqual(at('2026-03-01T16:00:00.000Z'));
  });

  it('finds the whole days of a range', () => {
    expect(wholeDays({ from: dayStart(MARCH_2), to: dayStart(MARCH_2 + 3) })).toEqual({
      first: MARCH_2,
      end: MARCH_2 + 3,
    });
    expect(wholeDays({ from: at('2026-03-01T16:00:00.001Z'), to: at('2026-03-04T15:00:00Z') })).toEqual({
      first: MARCH_2 + 1,
      end: MARCH_2 + 2,
    });
  });

  it('reads the partial edge days and the days without a roll-up live, in as few ranges as it can', () => {
    const from = at('2026-03-02T10:00:00Z'); // 18:00 on 2 March, Beijing
    const to = at('2026-03-07T01:00:00Z'); // 09:00 on 7 March
    const plan = planRange({ from, to }, new Set([MARCH_2 + 1, MARCH_2 + 3, MARCH_2 + 9]));
    expect(plan.days).toEqual([MARCH_2 + 1, MARCH_2 + 3]);
    expect(plan.live).toEqual([
      { from, to: dayStart(MARCH_2 + 1) },
      { from: dayStart(MARCH_2 + 2), to: dayStart(MARCH_2 + 3) },
      { from: dayStart(MARCH_2 + 4), to },
    ]);
    expect(planRange({ from, to: at('2026-03-02T12:00:00Z') }, new Set([MARCH_2]))).toEqual({
      days: [],
      live: [{ from, to: at('2026-03-02T12:00:00Z') }],
    });
  });

  it('turns days into BETWEEN runs', () => {
    expect(dayRuns([1, 2, 3, 5, 7, 8])).toEqual([
      [1, 3],
      [5, 5],
      [7, 8],
    ]);
    expect(dayRuns([])).toEqual([]);
  });
});

describe('DurationHistogram', () => {
  it('orders buckets of 3 significant digits by slot, and back', () => {
    const buckets = [0, 7, 999, 1000, 1010, 9990, 10_000, 259_000, 999_000, 24_600_000, 1_230_000_000];
    const slots = buckets.map(slotOf);
    expect([...slots].sort((a, b) => a - b)).toEqual(slots);
    expect(slots.map(bucketOf)).toEqual(buckets);
  });

  it('ranks by nearest rank as the live SQL does (ceil(p × total) in whole numbers)', () => {
    const three = new DurationHistogram();
    for (const b of [30, 10, 20]) three.add(b, 1);
    expect(three.summary()).toEqual({ count: 3, medianSeconds: 20, p90Seconds: 30 });

    // 10 values: the median is the 5th, p90 the 9th (0.9 × 10 is 9 exactly, not 9.000…1).
    const ten = new DurationHistogram();
    for (let b = 1; b <= 10; b++) ten.add(b * 100, 1);
    expect(ten.summary()).toEqual({ count: 10, medianSeconds: 500, p90Seconds: 900 });

    expect(new DurationHistogram().summary()).toEqual({ count: 0, medianSeconds: null, p90Seconds: null });
  });

  it('sums encoded histograms', () => {
    const tallies = new GroupTallies();
    const day = new GroupTallies();
    day.addRows('final', [
      { gk: 'HRSS', src: 'a', b: 7200, n: 1 },
      { gk: 'HRSS', src: 'a', b: 259_000, n: 1 },
    ]);
    day.addRows('statuses', [{ gk: 'HRSS', src: 'a', st: 'COMPLETED', n: 2, eligible: 2, on_time: 1 }]);
    const [[key, tally]] = [...day.entries()];
    tallies.addStored(key, storedTally(tally));
    tallies.addStored(key, storedTally(tally));
    tallies.addRows('final', [{ gk: 'HRSS', src: 'b', b: 30, n: 1 }]);
    tallies.addRows('dead', [{ gk: null, src: '', n: 4 }]); // no case attributes: not a group
    expect(tallies.outcomes()).toEqual([
      {
        key: 'HRSS',
        statuses: [{ status: 'COMPLETED', count: 4, eligible: 4, onTime: 2 }],
        toFinal: { count: 5, medianSeconds: 7200, p90Seconds: 259_000 },
      },
    ]);
    expect(tallies.deliveries()).toEqual([
      { key: 'HRSS', toDelivery: { count: 0, medianSeconds: null, p90Seconds: null }, deadLettered: 0 },
    ]);
  });
});

describe('daysToBuild', () => {
  const now = at('2026-03-10T00:00:00Z');
  const built = (day: number, fields: { validUntil?: Date | null; dirty?: boolean } = {}) => ({
    day,
    builtAt: now,
    validUntil: fields.validUntil ?? null,
    dirty: fields.dirty ?? false,
  });

  it('rebuilds missing, changed and expired days, newest first', () => {
    const rolled = [
      built(MARCH_2),
      built(MARCH_2 + 1, { dirty: true }),
      built(MARCH_2 + 2, { validUntil: at('2026-03-09T00:00:00Z') }),
      built(MARCH_2 + 3, { validUntil: at('2026-03-11T00:00:00Z') }),
    ];
    expect(daysToBuild(MARCH_2, MARCH_2 + 5, rolled, now)).toEqual([MARCH_2 + 4, MARCH_2 + 2, MARCH_2 + 1]);
  });
});

describe('StatsRollupSettings', () => {
  it('defaults to roll-ups on, a refresh a minute, today and yesterday live', () => {
    expect(StatsRollupSettings.fromEnvironment({})).toEqual(new StatsRollupSettings(true, 60_000, 2));
  });

  it('lists every bad value at once', () => {
    expect(() =>
      StatsRollupSettings.fromEnvironment({
        TONGBAN_STATS_ROLLUP: 'maybe',
        TONGBAN_STATS_REFRESH_INTERVAL_MS: '10',
        TONGBAN_STATS_LIVE_DAYS: '0',
      }),
    ).toThrow(/TONGBAN_STATS_ROLLUP[\s\S]*TONGBAN_STATS_REFRESH_INTERVAL_MS[\s\S]*TONGBAN_STATS_LIVE_DAYS/);
  });
});
