import type { Logger } from 'pino';

const DEMO_KEY = 'tb-demo-platform-key';

/** One case per example department, so a new user sees them delivered right after `npm start`. */
function demoCases(now: Date): Array<Record<string, unknown>> {
  const common = {
    region: { code: '510104017003' },
    acceptedAt: now.toISOString(),
    acceptedBy: { operatorId: 'demo-operator', stationId: 'JJ-CXL-01', channel: 'WINDOW' },
  };
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return [
    {
      ...common,
      externalId: `DEMO-${stamp}-HRSS`,
      serviceCode: 'HRSS-UNEMP-REG',
      applicant: {
        name: '张三',
        idType: 'RESIDENT_ID',
        idNumber: '11010519491231002X',
        phone: '13800138000',
      },
      form: { lastEmployer: '成都某某科技有限公司', unemployedSince: '2026-10-31', reason: 'CONTRACT_ENDED' },
    },
    {
      ...common,
      externalId: `DEMO-${stamp}-CIVIL`,
      serviceCode: 'CIVIL-DIBAO',
      applicant: {
        name: '刘芳',
        idType: 'RESIDENT_ID',
        idNumber: '510104198811050528',
        phone: '13912345678',
      },
      form: {
        householdSize: 3,
        monthlyIncomeYuan: '1234.35',
        members: [{ relation: 'SPOUSE', name: '陈伟', idNumber: '510104198503122315' }],
      },
    },
    {
      ...common,
      externalId: `DEMO-${stamp}-HEALTH`,
      serviceCode: 'HEALTH-BIRTH-REG',
      applicant: {
        name: '王丽',
        idType: 'RESIDENT_ID',
        idNumber: '510104199203150028',
        phone: '13700137000',
      },
      form: { childOrder: 1 },
    },
    {
      ...common,
      externalId: `DEMO-${stamp}-DPF`,
      serviceCode: 'DPF-SUBSIDY',
      applicant: {
        name: '李明',
        idType: 'RESIDENT_ID',
        idNumber: '51010419700101001X',
        phone: '13600136000',
      },
      form: {
        disabilityCertNo: '51010419700101001X42',
        disabilityCategory: 'PHYSICAL',
        disabilityLevel: 2,
        subsidyType: 'BOTH',
      },
    },
  ];
}

/** Submits the demo cases over HTTP, like a platform, and logs where each one ends up. */
export async function submitDemoCases(baseUrl: string, log: Logger): Promise<void> {
  const ids: Array<{ id: string; externalId: string }> = [];
  for (const body of demoCases(new Date())) {
    const res = await fetch(`${baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { id?: string; detail?: string; errors?: unknown };
    if (res.status === 202 && answer.id) ids.push({ id: answer.id, externalId: String(body.externalId) });
    else log.warn({ status: res.status, answer }, `demo case ${String(body.externalId)} was not accepted`);
  }
  const deadline = Date.now() + 60_000;
  const pending = new Set(ids.map((c) => c.id));
  while (pending.size > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    for (const { id, externalId } of ids) {
      if (!pending.has(id)) continue;
      const res = await fetch(`${baseUrl}/api/v1/cases/${id}`, {
        headers: { authorization: `Bearer ${DEMO_KEY}` },
      });
      const detail = (await res.json()) as {
        status: string;
        deliveries: Array<{ department: string; status: string; receiptRef: string | null }>;
      };
      if (
        detail.deliveries.every(
          (d) => d.status !== 'PENDING' && d.status !== 'SENDING' && d.status !== 'RETRY_WAIT',
        )
      ) {
        pending.delete(id);
        for (const d of detail.deliveries) {
          log.info(
            { caseId: id, externalId, department: d.department, status: d.status, reference: d.receiptRef },
            `demo case ${externalId}: ${d.department} ${d.status}`,
          );
        }
      }
    }
  }
  if (pending.size > 0)
    log.warn(
      `${pending.size} demo case(s) not delivered within a minute; see /api/v1/departments and /admin/queues`,
    );
}
