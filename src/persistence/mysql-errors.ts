/** mysql2 reports a unique-key violation as ER_DUP_ENTRY; TypeORM keeps it on `driverError`. */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | undefined;
  return e?.code === 'ER_DUP_ENTRY' || e?.driverError?.code === 'ER_DUP_ENTRY';
}
