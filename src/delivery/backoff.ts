import type { RetryPolicyConfig } from '../config/model/department-config';

/**
 * Exponential backoff with full jitter: a random delay between 0 and min(cap, base·2^(n-1)), so that
 * deliveries failed by one outage do not all come back in the same second.
 */
export function retryDelayMs(
  policy: RetryPolicyConfig,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(1, Math.floor(random() * ceiling));
}
