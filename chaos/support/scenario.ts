import type { EmbeddedServices } from '../../src/embedded/embedded-services';
import type { PlatformReceiver } from '../../src/simulators/platform/platform-receiver';
import type { PersonalDataRegistry } from './case-factory';
import type { Fleet } from './fleet';
import type { ChaosOptions } from './options';
import type { Progress } from './progress';

export type Figure = number | string | boolean;

/** What every scenario gets: the servers, the build, where to write, and what the others left behind. */
export interface ChaosContext {
  options: ChaosOptions;
  progress: Progress;
  /** The built gateway entry point. */
  main: string;
  runDir: string;
  logDir: string;
  services: EmbeddedServices;
  /** One data key for every gateway of the run. */
  dataKeys: string;
  personal: PersonalDataRegistry;
  /** Absorbs the platform status webhooks of every gateway. */
  receiver: PlatformReceiver;
  webhookUrl: string;
  /** Every fleet started so far; the personal-data scan reads their logs, queues and Bull Board. */
  fleets: Fleet[];
  /** Bodies the gateway answered to rejected input (HTTP and RPC), for the personal-data scan. */
  errorBodies: string[];
}

/** Collects a scenario's figures and the checks that failed. */
export class Verdict {
  readonly figures: Record<string, Figure> = {};
  readonly failures: string[] = [];

  figure(name: string, value: Figure): void {
    this.figures[name] =
      typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 100) / 100 : value;
  }

  check(ok: boolean, what: string): boolean {
    if (!ok) this.failures.push(what);
    return ok;
  }
}

export interface Scenario {
  /** Short, kebab-case: the PASS/FAIL line and TONGBAN_CHAOS_ONLY use it. */
  name: string;
  /** What it proves, one line. */
  title: string;
  run(ctx: ChaosContext, verdict: Verdict): Promise<void>;
}

export interface ScenarioResult {
  name: string;
  title: string;
  pass: boolean;
  figures: Record<string, Figure>;
  failures: string[];
  durationSeconds: number;
}
