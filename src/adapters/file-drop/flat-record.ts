export type FieldValue = string | number | boolean | null;
export type FlatRecord = Record<string, FieldValue>;

export type RecordsResult = { ok: true; records: FlatRecord[] } | { ok: false; reason: string };

/** The mapped message is one flat record or an array of them; anything nested is a mapping bug. */
export function toRecords(message: unknown): RecordsResult {
  const list = Array.isArray(message) ? (message as unknown[]) : [message];
  if (list.length === 0) return { ok: false, reason: 'the message holds no records' };
  const records: FlatRecord[] = [];
  for (const [index, item] of list.entries()) {
    const where = Array.isArray(message) ? `record[${index}]` : 'record';
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return { ok: false, reason: `${where} is not an object of field values` };
    }
    const record: FlatRecord = {};
    for (const [key, value] of Object.entries(item)) {
      if (key.length === 0) return { ok: false, reason: `${where} has an empty field name` };
      if (value === undefined) continue;
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return { ok: false, reason: `${where} field ${key} is not a finite number` };
      }
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        return { ok: false, reason: `${where} field ${key} is not a string or number` };
      }
      record[key] = value as FieldValue;
    }
    records.push(record);
  }
  return { ok: true, records };
}

/** The text a value takes in CSV and XML; null is an empty field. */
export function fieldText(value: FieldValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}
