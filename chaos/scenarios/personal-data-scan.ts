import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validCase } from '../support/case-factory';
import { ADMIN_KEY } from '../support/keys';
import { NeedleScanner } from '../support/needle-scan';
import { dumpRedis, REDIS_BEFORE_FLUSH } from '../support/redis-dump';
import type { ChaosContext, Scenario, Verdict } from '../support/scenario';

const JOB_KEY = /:delivery\.[A-Z0-9_]+:[0-9a-f-]{36}$/;
const DB_SKIP = new Set(['migrations']);

/**
 * After everything else: the resident IDs and phone numbers the suite generated must not appear in
 * clear in the gateway logs, anywhere in Redis, in job data, in error answers and stored error texts,
 * in the database, or through the Bull Board API.
 */
export const personalDataScan: Scenario = {
  name: 'personal-data-scan',
  title:
    'no generated ID number or phone in clear in logs, Redis, jobs, error bodies, database or Bull Board',
  async run(ctx: ChaosContext, verdict: Verdict): Promise<void> {
    const scanner = new NeedleScanner(ctx.personal);
    selfTest(ctx, scanner, verdict);

    for (const file of readdirSync(ctx.logDir).filter((f) => f.endsWith('.log')))
      scanner.scan('logs', file, readFileSync(join(ctx.logDir, file), 'utf8'));

    const { keys, jobs } = await scanRedis(ctx, scanner);

    for (const [i, body] of ctx.errorBodies.entries()) scanner.scan('error-bodies', `answer ${i}`, body);
    let dbRows = 0;
    for (const fleet of ctx.fleets) {
      const tables = await fleet.query<{ name: string }>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?',
        [fleet.database],
      );
      for (const { name } of tables) {
        if (DB_SKIP.has(name)) continue;
        const rows = await fleet.query(`SELECT * FROM \`${name}\``);
        dbRows += rows.length;
        const surface = /error|attempt|event|audit/.test(name) ? 'error-bodies' : 'database';
        scanner.scan(surface, `${fleet.database}.${name}`, JSON.stringify(rows));
      }
    }

    let boards = 0;
    let boardJobs = 0;
    for (const fleet of ctx.fleets) {
      const api = fleet.processes.find((p) => p.role === 'api' && p.alive);
      if (!api) continue;
      const get = async (path: string) => {
        const res = await fetch(`${api.url}/admin/queues/api${path}`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`Bull Board ${path} answered ${res.status}`);
        return text;
      };
      const list = JSON.parse(await get('/queues')) as { queues: Array<{ name: string }> };
      for (const { name } of list.queues) {
        for (const status of ['latest', 'failed', 'completed', 'delayed', 'waiting']) {
          const text = await get(
            `/queues?activeQueue=${encodeURIComponent(name)}&status=${status}&jobsPerPage=1000`,
          );
          scanner.scan('bull-board', `${fleet.name} ${name} ${status}`, text);
          const parsed = JSON.parse(text) as { queues: Array<{ name: string; jobs: Array<{ id: string }> }> };
          const jobsOfQueue = parsed.queues.find((q) => q.name === name)?.jobs ?? [];
          boardJobs += jobsOfQueue.length;
          for (const job of jobsOfQueue.slice(0, 5))
            scanner.scan(
              'bull-board',
              `${fleet.name} ${name} job`,
              await get(`/queues/${encodeURIComponent(name)}/${job.id}`),
            );
        }
      }
      boards++;
    }

    const mb = (surface: string) => Math.round(((scanner.scanned.get(surface) ?? 0) / 1024 / 1024) * 10) / 10;
    verdict.figure('needles', ctx.personal.ids.size + ctx.personal.phones.size);
    verdict.figure('logsMb', mb('logs'));
    verdict.figure('redisKeys', keys);
    verdict.figure('jobs', jobs);
    verdict.figure('errorBodies', ctx.errorBodies.length);
    verdict.figure('dbRows', dbRows);
    verdict.figure('boards', boards);
    verdict.figure('boardJobs', boardJobs);
    verdict.figure('maskedSeen', [...scanner.masked].map(([surface, n]) => `${surface}:${n}`).join(',') || 0);
    for (const surface of ['logs', 'redis', 'jobs', 'error-bodies', 'database', 'bull-board']) {
      const hits = scanner.hits.filter((h) => h.surface === surface);
      verdict.figure(`hits.${surface}`, hits.length);
      verdict.check(
        hits.length === 0,
        `${hits.length} in ${surface}: ${hits
          .slice(0, 5)
          .map((h) => `${h.value} in ${h.where}`)
          .join(', ')}`,
      );
    }
    verdict.check(boards > 0 || ctx.fleets.length === 0, 'no Bull Board could be read');
  },
};

/** The scanner must find what it looks for, or a clean result means nothing. */
function selfTest(ctx: ChaosContext, scanner: NeedleScanner, verdict: Verdict): void {
  const probe = validCase(ctx.personal, 'CIVIL', 'scan-self-test') as {
    applicant: { idNumber: string; phone: string };
  };
  const { idNumber, phone } = probe.applicant;
  const grouped = `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
  const text = `{"x":"id ${idNumber}","y":${phone},"z":"${grouped}"}`;
  scanner.scan('self-test', 'synthetic', text);
  const found = scanner.count('self-test');
  verdict.check(found === 3, `the scanner found ${found} of 3 planted needles`);
}

/** The live Redis, and what it held before the FLUSHALL scenario wiped it. */
async function scanRedis(ctx: ChaosContext, scanner: NeedleScanner): Promise<{ keys: number; jobs: number }> {
  let jobs = 0;
  const visit = (key: string, value: string, where: string): void => {
    const job = JOB_KEY.test(key);
    if (job) jobs++;
    scanner.scan(job ? 'jobs' : 'redis', `${where}${key}`, `${key} ${value}`);
  };
  let keys = await dumpRedis(ctx.services.redisUrl, (key, value) => visit(key, value, ''));
  const saved = join(ctx.runDir, REDIS_BEFORE_FLUSH);
  if (existsSync(saved)) {
    for (const line of readFileSync(saved, 'utf8').split('\n')) {
      if (!line) continue;
      const [key, value] = JSON.parse(line) as [string, string];
      visit(key, value, 'before FLUSHALL: ');
      keys++;
    }
  }
  return { keys, jobs };
}
