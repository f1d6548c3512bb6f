import { EnvironmentError, integer } from '../../../config/environment';

/**
 * How statistics are rolled up, from the environment. Read here rather than in config/environment.ts
 * so the statistics keep their knobs together; validated once at start-up, every problem listed.
 */
export class StatsRollupSettings {
  constructor(
    /** TONGBAN_STATS_ROLLUP (on|off): off answers every request live, as before roll-ups. */
    readonly enabled: boolean,
    /**
     * TONGBAN_STATS_REFRESH_INTERVAL_MS: how often the refresher looks for changed days and rebuilds
     * them. A change to an older day shows in the answers within about this (plus the rebuild).
     */
    readonly refreshIntervalMs: number,
    /** TONGBAN_STATS_LIVE_DAYS: today and the days before it, this many in all, are always read live. */
    readonly liveDays: number,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): StatsRollupSettings {
    const problems: string[] = [];
    const switchValue = env.TONGBAN_STATS_ROLLUP ?? 'on';
    if (switchValue !== 'on' && switchValue !== 'off')
      problems.push(`TONGBAN_STATS_ROLLUP must be on or off, got "${switchValue}"`);
    const interval = integer(env, 'TONGBAN_STATS_REFRESH_INTERVAL_MS', 60_000, 1_000, 86_400_000, problems);
    const liveDays = integer(env, 'TONGBAN_STATS_LIVE_DAYS', 2, 1, 366, problems);
    if (problems.length > 0)
      throw new EnvironmentError(`Invalid environment:\n  - ${problems.join('\n  - ')}`);
    return new StatsRollupSettings(switchValue === 'on', interval, liveDays);
  }
}
