import { PLATFORM_KEY } from './keys';
import { sleep } from './wait';

export interface SubmitStats {
  accepted: number;
  /** Submissions answered 5xx or not at all, then repeated (same body, same externalId). */
  retries: number;
}

/**
 * Submits like a platform does: retries until the gateway answers 200/202, with the same
 * externalId each time, so a retry after a lost answer is a repeat and not a second case.
 */
export async function submitUntilAccepted(
  apiUrl: () => string,
  body: Record<string, unknown>,
  stats: SubmitStats,
  giveUpMs = 600_000,
): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${apiUrl()}/api/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PLATFORM_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      if (res.status === 202 || res.status === 200) {
        stats.accepted++;
        return;
      }
      if (res.status < 500) throw new RejectedError(`rejected: ${res.status} ${text.slice(0, 300)}`);
    } catch (error) {
      if (error instanceof RejectedError) throw error;
    }
    if (Date.now() - started > giveUpMs)
      throw new Error(`case ${String(body.externalId)} not accepted in time`);
    stats.retries++;
    await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)));
  }
}

class RejectedError extends Error {}

/** Submits every body with `concurrency` in flight, at most `ratePerSecond` started per second if given. */
export async function submitAll(
  apiUrl: () => string,
  bodies: Array<Record<string, unknown>>,
  concurrency: number,
  ratePerSecond?: number,
): Promise<SubmitStats> {
  const stats: SubmitStats = { accepted: 0, retries: 0 };
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, bodies.length) }, async () => {
      while (next < bodies.length) {
        const index = next++;
        if (ratePerSecond) await sleep(started + (index / ratePerSecond) * 1000 - Date.now());
        await submitUntilAccepted(apiUrl, bodies[index], stats);
      }
    }),
  );
  return stats;
}
