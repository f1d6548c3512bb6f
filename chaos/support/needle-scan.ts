import { maskIdNumber, maskPhone } from '../../src/common/masking';
import type { PersonalDataRegistry } from './case-factory';

const ID = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])/g;
// A mobile number as typed: optional +86/86 and consistent space or dash grouping.
const PHONE = /(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9][0-9])([ -]?)([0-9]{4})\2([0-9]{4})(?![0-9])/g;

// What the gateway's masking leaves (5101**********1234, 138****5678): evidence the scan read personal data.
const MASKED = /[0-9]{4}\*{10}[0-9X]{4}|1[3-9][0-9]\*{4}[0-9]{4}/g;

export interface Hit {
  surface: string;
  where: string;
  /** Masked: the report must not leak what it found. */
  value: string;
}

/** Finds the suite's own resident IDs and phone numbers (in clear) in text. */
export class NeedleScanner {
  readonly hits: Hit[] = [];
  readonly scanned = new Map<string, number>();
  /** Masked IDs and phones seen per surface. */
  readonly masked = new Map<string, number>();

  constructor(private readonly personal: PersonalDataRegistry) {}

  scan(surface: string, where: string, text: string): void {
    this.scanned.set(surface, (this.scanned.get(surface) ?? 0) + Buffer.byteLength(text));
    const masked = text.match(MASKED)?.length ?? 0;
    if (masked > 0) this.masked.set(surface, (this.masked.get(surface) ?? 0) + masked);
    for (const match of text.matchAll(ID)) {
      const id = match[0].toUpperCase();
      if (this.personal.ids.has(id)) this.hits.push({ surface, where, value: maskIdNumber(id) });
    }
    for (const match of text.matchAll(PHONE)) {
      const phone = match[1] + match[3] + match[4];
      if (this.personal.phones.has(phone)) this.hits.push({ surface, where, value: maskPhone(phone) });
    }
  }

  count(surface: string): number {
    return this.hits.filter((h) => h.surface === surface).length;
  }
}
