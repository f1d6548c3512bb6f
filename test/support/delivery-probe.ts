import type { TestGateway } from './test-gateway';

export interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  receipt_ref: string | null;
}

/** Reads deliveries straight from MySQL, the system of record. */
export async function deliveriesOf(
  gw: TestGateway,
  where = '1=1',
  params: unknown[] = [],
): Promise<DeliveryRow[]> {
  const rows = await gw.db.query<Array<Record<string, unknown>>>(
    `SELECT * FROM deliveries WHERE ${where} ORDER BY id`,
    params,
  );
  return rows.map((r) => ({
    id: r.id as string,
    status: r.status as string,
    attempts: Number(r.attempts),
    last_error: (r.last_error as string | null) ?? null,
    receipt_ref: (r.receipt_ref as string | null) ?? null,
  }));
}

export async function attemptsOf(
  gw: TestGateway,
  deliveryId: string,
): Promise<Array<{ attempt: number; outcome: string }>> {
  const rows = await gw.db.query<Array<{ attempt: number; outcome: string }>>(
    'SELECT attempt, outcome FROM delivery_attempts WHERE delivery_id = ? ORDER BY id',
    [deliveryId],
  );
  return rows.map((r) => ({ attempt: Number(r.attempt), outcome: r.outcome }));
}
