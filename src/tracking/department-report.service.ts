import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DepartmentStatusReport } from '../adapters/sdk/department-adapter';
import { DeliveryStore, type ReportResult, type StatusReport } from '../delivery/delivery-store';
import { DELIVERY_RUNTIMES } from '../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../delivery/department-runtime';
import { StatusChangeNotifier } from '../delivery/status-change-notifier';
import type { ReportedStatus } from '../lifecycle/delivery-transitions';
import { MappingRegistry } from '../mappings/mapping-registry';
import { REVERSE_STATUSES } from '../mappings/mapping-types';
import { DeliveryQueues } from '../queue/delivery-queues';

/** Where a report came from: `callback`, `poll`, `result-file`. */
export type ReportChannel = 'callback' | 'poll' | 'result-file';

/** The department's payload as it arrived, before its reverse mapping. */
export interface IncomingReport {
  department: string;
  via: ReportChannel;
  /** The department's own payload (callback body, status answer, result row) for the reverse mapping. */
  raw?: unknown;
  /** What the adapter already read from it (status text, ids); used when there is no reverse mapping. */
  parsed?: DepartmentStatusReport;
  /** The delivery the caller asked about (polling), when the payload does not name it. */
  deliveryId?: string;
}

export type ReportHandling =
  /** The report was about this delivery (by id or receipt number). */
  | (ReportResult & { deliveryId: string })
  | { kind: 'unreadable'; errors: Array<{ field: string; reason: string }> }
  | { kind: 'unknown-delivery'; deliveryId?: string; reference?: string };

/**
 * Turns whatever a department says about a case — a callback, a polled status, a result-file row —
 * into a canonical status through its reverse mapping, and applies it through the state machine.
 * One path for all three channels, so they cannot disagree.
 */
@Injectable()
export class DepartmentReportService {
  private readonly logger = new Logger(DepartmentReportService.name);

  constructor(
    private readonly store: DeliveryStore,
    private readonly mappings: MappingRegistry,
    private readonly queues: DeliveryQueues,
    private readonly notifier: StatusChangeNotifier,
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
  ) {}

  async handle(incoming: IncomingReport): Promise<ReportHandling> {
    const read = await this.interpret(incoming);
    if (!read.ok) return { kind: 'unreadable', errors: read.errors };
    const { report, deliveryId, reference } = read;
    const work = await this.store.findForReport(incoming.department, { deliveryId, reference });
    if (!work) return { kind: 'unknown-delivery', deliveryId, reference };
    const result = await this.store.applyReport(work, report);
    if (result.kind !== 'applied') return { ...result, deliveryId: work.id };
    if (result.caseChange) this.notifier.caseStatusChanged(work, result.caseChange);
    if (report.status === 'RESEND') {
      // The finished job keeps the id; replace it so the same idempotency key goes out again.
      const queue = this.queues.get(work.department);
      await queue.remove(work.id).catch(() => undefined);
      await this.queues.enqueue([{ id: work.id, department: work.department }]);
    }
    this.logger.log({
      msg: 'department status applied',
      caseId: work.caseId,
      deliveryId: work.id,
      department: work.department,
      via: report.via,
      from: result.from,
      to: result.to,
    });
    return { ...result, deliveryId: work.id };
  }

  private async interpret(
    incoming: IncomingReport,
  ): Promise<
    | { ok: true; report: StatusReport; deliveryId?: string; reference?: string }
    | { ok: false; errors: Array<{ field: string; reason: string }> }
  > {
    const tracking = this.departments.get(incoming.department)?.config.tracking;
    const parsed = incoming.parsed;
    const departmentStatus = parsed?.status;
    if (tracking?.statusMapping) {
      const raw = incoming.raw ?? parsed?.receipt?.fields ?? parsed;
      const mapped = await this.mappings
        .reverse(tracking.statusMapping)
        .map(raw, { deliveryId: incoming.deliveryId ?? parsed?.deliveryId, department: incoming.department });
      if (!mapped.ok) return { ok: false, errors: mapped.errors };
      const m = mapped.message;
      return {
        ok: true,
        deliveryId: incoming.deliveryId ?? m.deliveryId ?? parsed?.deliveryId,
        reference: m.reference ?? parsed?.receipt?.reference,
        report: {
          status: m.resend ? 'RESEND' : (m.status as ReportedStatus),
          via: incoming.via,
          reference: m.reference ?? parsed?.receipt?.reference,
          remark: m.remark ?? parsed?.remark,
          finishedAt: m.finishedAt ?? parsed?.finishedAt,
          departmentStatus: rawStatusText(departmentStatus, raw),
        },
      };
    }
    if (!parsed)
      return { ok: false, errors: [{ field: 'status', reason: 'no status mapping for this department' }] };
    const text = parsed.resend ? 'RESEND' : parsed.status;
    const status = tracking?.statusMap?.[text] ?? text.toUpperCase();
    if (!(REVERSE_STATUSES as readonly string[]).includes(status)) {
      return {
        ok: false,
        errors: [
          {
            field: 'status',
            reason: `"${text}" is not a known status (set tracking.statusMapping or statusMap)`,
          },
        ],
      };
    }
    return {
      ok: true,
      deliveryId: incoming.deliveryId ?? parsed.deliveryId,
      reference: parsed.receipt?.reference,
      report: {
        status: status as ReportedStatus,
        via: incoming.via,
        reference: parsed.receipt?.reference,
        remark: parsed.remark,
        finishedAt: parsed.finishedAt,
        departmentStatus: text,
      },
    };
  }
}

function rawStatusText(fromAdapter: string | undefined, raw: unknown): string | undefined {
  if (fromAdapter && fromAdapter !== 'UNKNOWN') return fromAdapter;
  const status = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).status : undefined;
  return typeof status === 'string' || typeof status === 'number' ? String(status) : undefined;
}
