/**
 * Run-time switchable faults for department simulators. Pure decision logic, no I/O: a simulator
 * asks `decide()` once per request and acts on the answer, so any protocol can reuse it.
 */

export const FAULT_MODES = [
  'none',
  'down',
  'slow',
  'flaky',
  'always-failing',
  'ambiguous',
  'html-502',
  'reject',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSpec {
  mode: FaultMode;
  /** slow: added delay (default 2000 ms); ambiguous: how long the answer is held after committing (default 5000 ms). */
  delayMs?: number;
  /** How many matching requests the fault hits before it stops; flaky defaults to 3, the others to unlimited. */
  count?: number;
  /** flaky: fail this share (0–1) of requests instead of the first `count`, drawn from a seeded RNG. */
  failureRatio?: number;
  /** Seed of the flaky RNG (default 1), so a ratio gives the same sequence every run. */
  seed?: number;
  /** Requests the fault hits: `create` (default) or `all` non-control requests; `down` defaults to `all`. */
  scope?: 'create' | 'all';
}

export type FaultAction =
  | { kind: 'pass' }
  /** slow: handle normally after the delay. */
  | { kind: 'delay'; ms: number }
  /** down, flaky, always-failing, html-502: answer this instead of handling the request. */
  | { kind: 'fail'; status: number; contentType: string; body: string }
  /** ambiguous: handle (commit) normally, then hold the answer longer than the client waits. */
  | { kind: 'hold'; ms: number };

export const HTML_502_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** mulberry32: tiny, fast, good enough for reproducible test faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Validates a fault spec from an untrusted source (the HTTP control endpoint). */
export function parseFaultSpec(value: unknown): FaultSpec {
  if (!value || typeof value !== 'object') throw new Error('fault must be an object');
  const spec = value as Record<string, unknown>;
  if (!FAULT_MODES.includes(spec.mode as FaultMode))
    throw new Error(`mode must be one of ${FAULT_MODES.join(', ')}`);
  const number = (name: string, min: number, max: number): number | undefined => {
    const v = spec[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v >= min && v <= max))
      throw new Error(`${name} must be a number ${min}–${max}`);
    return v;
  };
  const scope = spec.scope;
  if (scope !== undefined && scope !== 'create' && scope !== 'all')
    throw new Error('scope must be create or all');
  return {
    mode: spec.mode as FaultMode,
    delayMs: number('delayMs', 0, 600_000),
    count: number('count', 0, Number.MAX_SAFE_INTEGER),
    failureRatio: number('failureRatio', 0, 1),
    seed: number('seed', 0, 2 ** 32),
    scope,
  };
}

export class FaultInjector {
  private spec: FaultSpec = { mode: 'none' };
  private hits = 0;
  private random: () => number = seededRandom(1);
  /** Requests answered or delayed by a fault since the simulator started. */
  injected = 0;

  get current(): FaultSpec {
    return { ...this.spec };
  }

  set(spec: FaultSpec): void {
    this.spec = { ...spec };
    this.hits = 0;
    this.random = seededRandom(spec.seed ?? 1);
  }

  /** Decides for one non-control request; `isCreate` marks the endpoint that commits cases. */
  decide(isCreate: boolean): FaultAction {
    const { mode } = this.spec;
    if (mode === 'none') return { kind: 'pass' };
    const scope = this.spec.scope ?? (mode === 'down' ? 'all' : 'create');
    if (scope === 'create' && !isCreate) return { kind: 'pass' };
    const limit =
      this.spec.count ?? (mode === 'flaky' && this.spec.failureRatio === undefined ? 3 : Infinity);
    if (this.hits >= limit) return { kind: 'pass' };
    const action = this.action();
    if (action.kind !== 'pass') {
      this.hits++;
      this.injected++;
    }
    return action;
  }

  private action(): FaultAction {
    const json = (status: number, message: string): FaultAction => ({
      kind: 'fail',
      status,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ error: 'simulated_fault', message }),
    });
    switch (this.spec.mode) {
      case 'none':
        return { kind: 'pass' };
      case 'down':
        return json(503, 'service unavailable (simulated outage)');
      case 'always-failing':
        return json(500, 'internal error (simulated)');
      case 'flaky': {
        const ratio = this.spec.failureRatio;
        if (ratio !== undefined && this.random() >= ratio) return { kind: 'pass' };
        return json(503, 'temporarily unavailable (simulated)');
      }
      case 'slow':
        return { kind: 'delay', ms: this.spec.delayMs ?? 2_000 };
      case 'ambiguous': {
        // With a ratio, only that share of requests is committed-then-held.
        const ratio = this.spec.failureRatio;
        if (ratio !== undefined && this.random() >= ratio) return { kind: 'pass' };
        return { kind: 'hold', ms: this.spec.delayMs ?? 5_000 };
      }
      case 'html-502':
        return { kind: 'fail', status: 502, contentType: 'text/html', body: HTML_502_PAGE };
      case 'reject':
        // A business validation refusal: the department will never accept this request as it is.
        return {
          kind: 'fail',
          status: 400,
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify({
            error: 'invalid_application',
            message: '户籍信息与身份证号不符 (simulated rejection)',
          }),
        };
    }
  }
}
