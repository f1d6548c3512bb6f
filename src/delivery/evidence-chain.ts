/** The fields of an attempt record that its hash covers. */
export interface EvidenceFields {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  outcome: string;
  sentHash: string | null;
  receivedHash: string | null;
  prevHash: string | null;
}

/**
 * 办理痕迹: each attempt's record hash covers the hashes of the bytes sent and received and the
 * previous record's hash, so altering or removing any stored record breaks every hash after it.
 */
export function evidenceRecordHash(fields: EvidenceFields, digest: (data: string) => string): string {
  return digest(
    [
      fields.prevHash ?? '',
      fields.deliveryId,
      String(fields.attempt),
      fields.startedAt.toISOString(),
      fields.outcome,
      fields.sentHash ?? '',
      fields.receivedHash ?? '',
    ].join('|'),
  );
}

export interface ChainVerification {
  valid: boolean;
  /** 1-based position of the first record that does not verify. */
  brokenAt?: number;
}

export function verifyEvidenceChain(
  records: ReadonlyArray<EvidenceFields & { recordHash: string }>,
  digest: (data: string) => string,
): ChainVerification {
  let previous: string | null = null;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record.prevHash !== previous || evidenceRecordHash(record, digest) !== record.recordHash) {
      return { valid: false, brokenAt: i + 1 };
    }
    previous = record.recordHash;
  }
  return { valid: true };
}
