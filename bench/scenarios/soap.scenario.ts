import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as soap from 'soap';
import { parse } from 'yaml';
import { createEgressGuard } from '../../src/adapters/network/egress-guard';
import type { DepartmentAdapter } from '../../src/adapters/sdk/department-adapter';
import { SoapAdapterFactory, SoapAdapterOptions } from '../../src/adapters/soap';
import type { DepartmentConfig } from '../../src/config/model/department-config';
import { REPO_ROOT } from '../support/bench-options';
import { residentIdFor } from '../support/case-factory';
import { cpuMeter } from '../support/child-process';
import { LatencyRecorder } from '../support/percentiles';
import type { BenchContext, Metric, Scenario } from '../support/scenario';

const CONFIG_DIR = join(REPO_ROOT, 'config');
const WSDL = join(CONFIG_DIR, 'wsdl', 'hrss', 'UnemploymentService.wsdl');

type SoapCall = (args: object) => Promise<[{ resultCode?: string } | undefined]>;

/** The HRSS message as the hrss-unemployment mapping produces it (docs/demo-departments.md). */
function hrssMessage(n: number): Record<string, unknown> {
  return {
    applicant: {
      xm: '张三',
      zjlx: '01',
      zjhm: residentIdFor(n),
      xb: '1',
      csrq: '19491231',
      lxdh: '13800138000',
    },
    registration: {
      sydjrq: '20261031',
      syyy: '11',
      yhdw: '成都某某科技有限公司',
      xzqh: '510104017003',
      slsj: '2026-11-01 09:30:00',
      slqd: '1',
    },
  };
}

/** Tongban's SOAP adapter, built from the shipped HRSS department options, at the bench's simulator. */
async function tongbanSoapAdapter(endpoint: string, concurrency: number): Promise<DepartmentAdapter> {
  const shipped = parse(readFileSync(join(CONFIG_DIR, 'departments', 'HRSS.yaml'), 'utf8')) as {
    adapter: { options: Record<string, unknown> };
  };
  const options = plainToInstance(
    SoapAdapterOptions,
    {
      ...shipped.adapter.options,
      endpoint,
      security: {
        ...(shipped.adapter.options.security as object),
        password: 'demo-password',
        username: 'tongban',
      },
    },
    { exposeDefaultValues: true },
  );
  const errors = validateSync(options, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new Error(`HRSS options: ${JSON.stringify(errors)}`);
  return new SoapAdapterFactory().create({
    department: { code: 'HRSS', delivery: { concurrency } } as unknown as DepartmentConfig,
    options,
    egress: createEgressGuard('HRSS', [new URL(endpoint).host]),
    configDir: CONFIG_DIR,
    log: () => undefined,
  });
}

/** Calls `call` with `concurrency` in flight for warm-up + window; successful calls per second in the window. */
async function callsPerSecond(
  ctx: BenchContext,
  concurrency: number,
  call: (n: number) => Promise<boolean>,
): Promise<{
  perSecond: number;
  failed: number;
  latency: LatencyRecorder;
  cpuMicrosPerCall: number;
  simulatorCpuMicrosPerCall: number;
}> {
  const windowStart = Date.now() + ctx.options.warmupSeconds * 1000;
  const windowEnd = windowStart + ctx.options.seconds * 1000;
  const latency = new LatencyRecorder();
  let n = 0;
  let ok = 0;
  let failed = 0;
  const loop = async () => {
    while (Date.now() < windowEnd) {
      const started = performance.now();
      const success = await call(n++).catch(() => false);
      const now = Date.now();
      if (!success) failed++;
      else if (now >= windowStart && now < windowEnd) {
        ok++;
        latency.record(performance.now() - started);
      }
    }
  };
  // The simulator has a process of its own: the bench process's CPU is the client's cost.
  const cpu = process.cpuUsage();
  // The server's cost per call too: when it is the bottleneck, both clients meet the same ceiling.
  const simulator = cpuMeter([ctx.simulators.process]);
  await Promise.all(Array.from({ length: concurrency }, loop));
  const used = process.cpuUsage(cpu);
  return {
    perSecond: ok / ctx.options.seconds,
    failed,
    latency,
    cpuMicrosPerCall: (used.user + used.system) / Math.max(1, n),
    simulatorCpuMicrosPerCall: (simulator.stop() * 1_000_000) / Math.max(1, n),
  };
}

/**
 * SOAP deliveries: Tongban's adapter (its own keep-alive transport, WS-Security digest) against
 * node-soap's default client (createClientAsync + WSSecurity, nothing tuned), same WSDL, same HRSS
 * simulator, same concurrency, both driven from the bench process.
 */
export function soapScenario(): Scenario {
  let adapter: DepartmentAdapter | undefined;
  let client: soap.Client | undefined;
  return {
    id: 'soap',
    title: 'SOAP deliveries: Tongban adapter vs node-soap default client',
    async setup(ctx) {
      const endpoint = ctx.simulators.hrss;
      adapter = await tongbanSoapAdapter(endpoint, ctx.options.deliveryConcurrency);
      client = await soap.createClientAsync(WSDL, { endpoint });
      client.setSecurity(
        new soap.WSSecurity('tongban', 'demo-password', {
          passwordType: 'PasswordDigest',
          hasTimeStamp: true,
        }),
      );
    },
    async run(ctx, run) {
      const concurrency = ctx.options.deliveryConcurrency;
      const prefix = `${ctx.runId}-${run}`;
      const viaTongban = (n: number) =>
        adapter!
          .deliver({
            deliveryId: `tb-${prefix}-${n}`,
            caseId: `case-${n}`,
            department: 'HRSS',
            attempt: 1,
            message: hrssMessage(n),
            signal: AbortSignal.timeout(20_000),
          })
          .then((outcome) => outcome.kind === 'delivered');
      // node-soap generates `<operation>Async` from the WSDL at run time.
      const submit = (client as unknown as Record<string, SoapCall>).SubmitUnemploymentRegistrationAsync;
      const viaNodeSoap = async (n: number) => {
        const [result] = await submit.call(client, { requestId: `ns-${prefix}-${n}`, ...hrssMessage(n) });
        return result?.resultCode === '0000';
      };
      // Alternate which client goes first, so neither always meets the fresher simulator.
      let tongban: Awaited<ReturnType<typeof callsPerSecond>>;
      let plain: typeof tongban;
      if (run % 2 === 0) {
        tongban = await callsPerSecond(ctx, concurrency, viaTongban);
        plain = await callsPerSecond(ctx, concurrency, viaNodeSoap);
      } else {
        plain = await callsPerSecond(ctx, concurrency, viaNodeSoap);
        tongban = await callsPerSecond(ctx, concurrency, viaTongban);
      }
      const metric = (id: string, label: string, r: typeof tongban): Metric => ({
        id,
        label,
        unit: 'calls/s',
        higherIsBetter: true,
        value: r.perSecond,
        detail: {
          failed: r.failed,
          latencyMs: r.latency.summary(),
          concurrency,
          simulatorCpuMicrosPerCall: r.simulatorCpuMicrosPerCall,
        },
      });
      const cost = (id: string, label: string, r: typeof tongban): Metric => ({
        id,
        label,
        unit: 'µs/call',
        higherIsBetter: false,
        value: r.cpuMicrosPerCall,
      });
      return [
        metric('soap.tongban', 'SOAP: Tongban adapter → HRSS simulator', tongban),
        metric('reference.node-soap', 'SOAP: node-soap default client → HRSS simulator', plain),
        cost('soap.tongban.cpu', 'SOAP client CPU per call: Tongban adapter', tongban),
        cost('reference.node-soap.cpu', 'SOAP client CPU per call: node-soap default client', plain),
      ];
    },
    async teardown() {
      await adapter?.close();
    },
  };
}
