/**
 * The department simulators of the bench in a process of their own, so that the department's CPU
 * is not the load generator's: CIVIL (REST, OAuth2) and HRSS (SOAP, UsernameToken).
 * Sends `{ civil, hrss }` once listening; answers `stats` messages; stops on SIGTERM.
 */
import { CivilSimulator } from '../../src/simulators/rest/civil.simulator';
import { HrssSimulator } from '../../src/simulators/soap/hrss.simulator';

export interface SimulatorUrls {
  civil: string;
  hrss: string;
}

export interface SimulatorCounts {
  civilCreated: number;
  civilDuplicatesApplied: number;
  hrssSubmits: number;
}

async function main(): Promise<void> {
  // No status advance: the bench measures delivery, not the department's processing.
  const civil = new CivilSimulator({ statusAdvanceMs: 0 });
  const hrss = new HrssSimulator();
  const urls: SimulatorUrls = { civil: await civil.start(0), hrss: await hrss.start() };
  process.on('message', (message: unknown) => {
    if (message === 'stats') {
      const counts: SimulatorCounts = {
        civilCreated: civil.stats().casesCreated,
        civilDuplicatesApplied: civil.stats().duplicatesApplied,
        hrssSubmits: hrss.stats().submits,
      };
      process.send?.(counts);
    }
  });
  const stop = () => void Promise.allSettled([civil.stop(), hrss.stop()]).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.(urls);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
