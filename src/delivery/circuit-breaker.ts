import type { Redis } from 'ioredis';
import type { CircuitBreakerConfig } from '../config/model/department-config';

export enum CircuitState {
  Closed = 'CLOSED',
  Open = 'OPEN',
  HalfOpen = 'HALF_OPEN',
}

export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When OPEN: the earliest time of the next probe (epoch ms). */
  nextProbeAt: number;
  cooldownMs: number;
}

/**
 * KEYS[1] = breaker hash. ARGV: event, now, threshold, cooldown, maxCooldown.
 * Returns {state, failures, nextProbeAt, cooldown, changed}. One script, so concurrent workers in
 * several processes agree on every transition.
 */
const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 'state') or 'CLOSED'
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
local cooldown = tonumber(redis.call('HGET', KEYS[1], 'cooldown') or ARGV[4])
local nextProbe = tonumber(redis.call('HGET', KEYS[1], 'nextProbeAt') or '0')
local event, now = ARGV[1], tonumber(ARGV[2])
local threshold, base, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local before = state
if event == 'success' then
  failures = 0
  if state ~= 'OPEN' then state = 'CLOSED'; cooldown = base end
elseif event == 'failure' then
  failures = failures + 1
  if state == 'HALF_OPEN' then
    state = 'OPEN'; cooldown = math.min(cooldown * 2, cap); nextProbe = now + cooldown
  elseif state == 'CLOSED' and failures >= threshold then
    state = 'OPEN'; cooldown = base; nextProbe = now + cooldown
  end
elseif event == 'probe-ok' then
  if state == 'OPEN' then state = 'HALF_OPEN' end
elseif event == 'probe-failed' then
  if state == 'OPEN' then cooldown = math.min(cooldown * 2, cap); nextProbe = now + cooldown end
end
redis.call('HSET', KEYS[1], 'state', state, 'failures', failures, 'cooldown', cooldown, 'nextProbeAt', nextProbe)
return {state, failures, nextProbe, cooldown, before ~= state and 1 or 0}
`;

type BreakerEvent = 'success' | 'failure' | 'probe-ok' | 'probe-failed';

/** ioredis sends a defined command as EVALSHA (the script body travels once, not on every outcome). */
const COMMAND = 'tongbanBreakerTransition';
type WithTransition = Redis & {
  [COMMAND](key: string, ...args: Array<string | number>): Promise<[string, number, number, number, number]>;
};

function withTransition(redis: Redis): WithTransition {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TRANSITION });
  return redis as WithTransition;
}

/** Per-department circuit breaker whose state lives in Redis, shared by every worker process. */
export class CircuitBreaker {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly department: string,
    private readonly settings: CircuitBreakerConfig,
  ) {
    this.key = `${prefix}:breaker:${department}`;
  }

  async snapshot(): Promise<CircuitSnapshot> {
    const raw = await this.redis.hgetall(this.key);
    return {
      state: (raw.state as CircuitState | undefined) ?? CircuitState.Closed,
      consecutiveFailures: Number(raw.failures ?? 0),
      nextProbeAt: Number(raw.nextProbeAt ?? 0),
      cooldownMs: Number(raw.cooldown ?? this.settings.cooldownMs),
    };
  }

  /** Applies an event; `changed` is true when the state moved (so the caller pauses or resumes the queue). */
  async record(event: BreakerEvent, now = Date.now()): Promise<CircuitSnapshot & { changed: boolean }> {
    const [state, failures, nextProbeAt, cooldownMs, changed] = await withTransition(this.redis)[COMMAND](
      this.key,
      event,
      now,
      this.settings.failureThreshold,
      this.settings.cooldownMs,
      this.settings.maxCooldownMs,
    );
    return {
      state: state as CircuitState,
      consecutiveFailures: Number(failures),
      nextProbeAt: Number(nextProbeAt),
      cooldownMs: Number(cooldownMs),
      changed: Number(changed) === 1,
    };
  }
}
