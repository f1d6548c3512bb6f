import { crc32 } from 'node:zlib';
import { dayLabel } from './stats-days';
import type { StatsGrouping } from './stats-query';

/** The table a statistic reads and where the case's attributes are in it. */
export interface Table {
  from: string;
  created: string;
  source: string;
  service: string;
  region: string;
}

export const CASES: Table = {
  from: 'cases c',
  created: 'c.created_at',
  source: 'c.source',
  service: 'c.service_code',
  region: 'c.region_code',
};

/** Deliveries carry a copy of their case's source, service and region (migration 1764288000000). */
export const DELIVERIES: Table = {
  from: 'deliveries d',
  created: 'd.created_at',
  source: 'd.case_source',
  service: 'd.case_service_code',
  region: 'd.case_region_code',
};

/** How a grouping is keyed in SQL and labelled in the answer. */
export interface GroupKey {
  /** Expression grouped by: an integer, or the code itself when exact. */
  id: string;
  /** The answer's key for a group key value; undefined for a value it cannot name. */
  label(gk: string | number): string | undefined;
}

/** CRC32 → code, for the codes a column holds; undefined when two of them collide. */
export type CodeNames = ReadonlyMap<number, string> | undefined;

export function codeNames(codes: readonly string[]): CodeNames {
  const names = new Map<number, string>();
  for (const code of codes) {
    const hash = crc32(code);
    if (names.has(hash) && names.get(hash) !== code) return undefined;
    names.set(hash, code);
  }
  return names;
}

/**
 * CRC32 of a code where its names are known (MariaDB's temporary tables group integers 2–3× faster
 * than utf8mb4 strings), the code itself otherwise (`names` undefined: exact).
 */
export function hashedKey(column: string, names: CodeNames): GroupKey {
  if (!names) return { id: column, label: (gk) => String(gk) };
  return { id: `CRC32(${column})`, label: (gk) => names.get(Number(gk)) };
}

/**
 * The county and the day are numbers whose label follows from them. Beijing time has had no daylight
 * saving since 1991, so a fixed +8 h gives its calendar day.
 */
export function groupKey(groupBy: StatsGrouping, table: Table, names: CodeNames): GroupKey {
  switch (groupBy) {
    case 'department':
      return hashedKey('d.department', names);
    case 'service':
      return hashedKey(table.service, names);
    case 'region':
      return {
        id: `CAST(LEFT(${table.region}, 6) AS UNSIGNED)`,
        label: (gk) => String(gk).padStart(6, '0'),
      };
    case 'day':
      return {
        id: `TO_DAYS(${table.created} + INTERVAL 8 HOUR)`,
        label: (gk) => dayLabel(Number(gk)),
      };
  }
}

/** The counted unit's status, end time and due time: deliveries for `department`, cases otherwise. */
export interface UnitColumns {
  table: Table;
  status: string;
  final: string;
  due: string;
}

export function unitColumns(groupBy: StatsGrouping): UnitColumns {
  return groupBy === 'department'
    ? { table: DELIVERIES, status: 'd.status', final: 'd.final_at', due: 'd.due_at' }
    : { table: CASES, status: 'c.status', final: 'c.completed_at', due: 'c.due_at' };
}

/**
 * The group key as the answer labels it (the code, the zero-padded county): what the roll-ups
 * store, so live rows and rolled-up rows group together. Not for `day` (rolled up as whole answers).
 */
export function labelKey(groupBy: Exclude<StatsGrouping, 'day'>, table: Table): string {
  switch (groupBy) {
    case 'department':
      return 'd.department';
    case 'service':
      return table.service;
    case 'region':
      return `LPAD(CAST(LEFT(${table.region}, 6) AS UNSIGNED), 6, '0')`;
  }
}
