import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { IntervalLoop } from '../common/background/interval-loop';
import type { DepartmentRuntime } from '../delivery/department-runtime';
import type { AlertEvent, AlertKind } from './alert';

export type AlertSink = (event: AlertEvent) => Promise<void>;

interface Measurement {
  kind: AlertKind;
  department: string;
  value: number;
  threshold: number;
  breached: boolean;
  summary: string;
}

/**
 * Watches each department's failure rate and dead letters. An alert is raised once per incident and
 * resolved once when the department recovers: the incident state lives in Redis, so several worker
 * processes (and restarts) never repeat it.
 */
export class AlertMonitor {
  private readonly logger = new Logger(AlertMonitor.name);
  private readonly loop: IntervalLoop;

  constructor(
    private readonly db: DataSource,
    private readonly redis: Redis,
    private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
    private readonly sinks: AlertSink[],
    private readonly options: { intervalMs: number; prefix: string },
  ) {
    this.loop = new IntervalLoop(AlertMonitor.name, options.intervalMs, () => this.runOnce());
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async runOnce(now = new Date()): Promise<AlertEvent[]> {
    const events: AlertEvent[] = [];
    for (const measurement of await this.measure(now)) {
      const key = `${this.options.prefix}:alert:${measurement.department}:${measurement.kind}`;
      const changed = measurement.breached
        ? (await this.redis.set(key, now.toISOString(), 'NX')) === 'OK'
        : (await this.redis.del(key)) === 1;
      if (!changed) continue;
      const event: AlertEvent = {
        state: measurement.breached ? 'raised' : 'resolved',
        kind: measurement.kind,
        department: measurement.department,
        value: measurement.value,
        threshold: measurement.threshold,
        at: now.toISOString(),
        summary: measurement.summary,
      };
      events.push(event);
      await Promise.all(
        this.sinks.map((sink) =>
          sink(event).catch((error: Error) => this.logger.warn(`alert sink failed: ${error.message}`)),
        ),
      );
    }
    return events;
  }

  private async measure(now: Date): Promise<Measurement[]> {
    const attempts = await this.attemptCounts(now);
    const dead = await this.db.query<Array<{ department: string; n: string }>>(
      "SELECT department, COUNT(*) AS n FROM deliveries WHERE status = 'DEAD_LETTERED' GROUP BY department",
    );
    const out: Measurement[] = [];
    for (const { config } of this.departments.values()) {
      const thresholds = config.delivery.alerts;
      const { total, failed } = attempts.get(config.code) ?? { total: 0, failed: 0 };
      const rate = total > 0 ? failed / total : 0;
      out.push({
        kind: 'failure-rate',
        department: config.code,
        value: rate,
        threshold: thresholds.failureRate,
        breached: total >= thresholds.minAttempts && rate >= thresholds.failureRate,
        summary: `${config.code}: ${failed} of ${total} attempts failed in the last ${thresholds.windowMinutes} min`,
      });
      const deadLetters = Number(dead.find((d) => d.department === config.code)?.n ?? 0);
      out.push({
        kind: 'dead-letters',
        department: config.code,
        value: deadLetters,
        threshold: thresholds.deadLetters,
        breached: deadLetters >= thresholds.deadLetters,
        summary: `${config.code}: ${deadLetters} dead-lettered deliveries waiting for replay`,
      });
    }
    return out;
  }

  /**
   * Attempts and transient failures per department in its own window, counted by MariaDB: one query
   * per distinct window length, so a busy hour never ships every attempt row to this process.
   */
  private async attemptCounts(now: Date): Promise<Map<string, { total: number; failed: number }>> {
    const byWindow = new Map<number, string[]>();
    for (const { config } of this.departments.values()) {
      const minutes = config.delivery.alerts.windowMinutes;
      byWindow.set(minutes, [...(byWindow.get(minutes) ?? []), config.code]);
    }
    const counts = new Map<string, { total: number; failed: number }>();
    for (const [minutes, codes] of byWindow) {
      const rows = await this.db.query<Array<{ department: string; total: string; failed: string }>>(
        `SELECT d.department, COUNT(*) AS total, SUM(a.outcome = 'transient') AS failed
           FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
          WHERE a.started_at >= ? AND d.department IN (${codes.map(() => '?').join(', ')})
          GROUP BY d.department`,
        [new Date(now.getTime() - minutes * 60_000), ...codes],
      );
      for (const row of rows)
        counts.set(row.department, { total: Number(row.total), failed: Number(row.failed) });
    }
    return counts;
  }
}
