import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';

/** Both department simulators of a scenario, fresh counters each time. */
export class DepartmentSims {
  readonly civil = new CivilSimulator();
  readonly hrss: HrssSimulator;
  civilUrl = '';
  hrssEndpoint = '';

  constructor(options: { xxeFile?: string } = {}) {
    this.hrss = new HrssSimulator({ xxeFile: options.xxeFile });
  }

  async start(): Promise<this> {
    [this.civilUrl, this.hrssEndpoint] = await Promise.all([this.civil.start(), this.hrss.start()]);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.civil.stop(), this.hrss.stop()]);
  }

  /** Business duplicates: a second case committed for an idempotency key / requestId already known. */
  duplicatesApplied(): number {
    return this.civil.stats().duplicatesApplied + this.hrss.stats().duplicatesApplied;
  }
}
