import { existsSync, readFileSync } from 'node:fs';

/**
 * Share of CPU time the hypervisor gave to other guests ("steal", from /proc/stat). On a shared VM it
 * comes and goes: at 30–40 % every process here runs on what is left, throughput figures drop and
 * latency tails grow, whatever the code does. Undefined where /proc/stat is not available.
 */
export class CpuSteal {
  private readonly start = readTotals();

  /** Steal as a fraction of all CPU time since this meter was created. */
  fraction(): number | undefined {
    const end = readTotals();
    if (!this.start || !end) return undefined;
    const total = end.total - this.start.total;
    return total > 0 ? (end.steal - this.start.steal) / total : 0;
  }
}

function readTotals(): { total: number; steal: number } | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some(Number.isNaN)) return undefined;
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] };
}

/** " (CPU steal 38 %)" when the hypervisor took a noticeable share, else "". */
export function stealNote(fraction: number | undefined): string {
  return fraction !== undefined && fraction >= 0.05 ? ` (CPU steal ${Math.round(fraction * 100)} %)` : '';
}
