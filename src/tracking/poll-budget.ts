import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../runtime/tokens';
import { BUDGET_WINDOW_MS } from './tracking-schedule';

/**
 * KEYS[1] = the department's call log (sorted set, score = time). ARGV: now, window, limit, wanted,
 * tag. Forgets calls older than the window and grants what is left of the limit, recording each
 * granted call as `tag:i`. One script, so processes sharing the budget never overspend it.
 */
const TAKE = `
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, wanted = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local granted = math.min(wanted, limit - used)
if granted <= 0 then return 0 end
for i = 1, granted do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
redis.call('PEXPIRE', KEYS[1], window * 2)
return granted
`;

export interface BudgetGrant {
  granted: number;
  /** Gives back calls granted but not made (another process claimed those deliveries first). */
  giveBack(unused: number): Promise<void>;
}

/**
 * A department's budget of status calls per minute, shared by every process through Redis: a sliding
 * window (not a per-minute counter), so no 60 seconds ever hold more than `callsPerMinute` calls.
 */
@Injectable()
export class PollBudget {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
  ) {}

  async take(department: string, limit: number, wanted: number, now = Date.now()): Promise<BudgetGrant> {
    const key = this.key(department);
    const tag = randomUUID();
    const granted =
      wanted <= 0
        ? 0
        : Number(await this.redis.eval(TAKE, 1, key, now, BUDGET_WINDOW_MS, limit, wanted, tag));
    return {
      granted,
      giveBack: async (unused) => {
        const count = Math.min(unused, granted);
        if (count <= 0) return;
        const members = Array.from({ length: count }, (_, i) => `${tag}:${granted - i}`);
        await this.redis.zrem(key, ...members);
      },
    };
  }

  /** Calls made in the current window (for operators and tests). */
  async used(department: string, now = Date.now()): Promise<number> {
    return this.redis.zcount(this.key(department), `(${now - BUDGET_WINDOW_MS}`, '+inf');
  }

  private key(department: string): string {
    return `${this.runtime.env.queuePrefix}:tracking:budget:${department}`;
  }
}
