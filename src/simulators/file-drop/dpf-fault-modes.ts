/**
 * Run-time fault modes of the DPF simulator. Set by method or by `POST /__control/fault` with the
 * same JSON.
 */
export const DPF_FAULT_MODES = [
  'none',
  /** The inbox is not processed and the SFTP server drops every connection. */
  'down',
  /** Waits `delayMs` before processing each inbox file. */
  'slow',
  /** Every record is answered `03` (rejected). */
  'always-reject',
] as const;

export type DpfFaultMode = (typeof DPF_FAULT_MODES)[number];

export interface DpfFaultSpec {
  mode: DpfFaultMode;
  delayMs?: number;
}

/** Validates control-endpoint JSON; returns an error message for anything malformed. */
export function parseDpfFaultSpec(input: unknown): DpfFaultSpec | string {
  if (!input || typeof input !== 'object') return 'body must be a JSON object';
  const raw = input as Record<string, unknown>;
  if (typeof raw.mode !== 'string' || !(DPF_FAULT_MODES as readonly string[]).includes(raw.mode)) {
    return `mode must be one of ${DPF_FAULT_MODES.join(', ')}`;
  }
  const spec: DpfFaultSpec = { mode: raw.mode as DpfFaultMode };
  if (raw.delayMs !== undefined) {
    if (typeof raw.delayMs !== 'number' || !Number.isInteger(raw.delayMs) || raw.delayMs < 0) {
      return 'delayMs must be a non-negative integer';
    }
    spec.delayMs = raw.delayMs;
  }
  return spec;
}
