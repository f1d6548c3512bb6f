import { scrubPersonalData } from '../../common/masking';

const MAX_PURPOSE = 200;
// C0/C1 controls and line breaks: an audit line stays one line.
const CONTROL = /[\p{Cc}\u2028\u2029]+/gu;

/**
 * The stated purpose of a read, from the `X-Purpose` header (URL-encoded allowed, for non-ASCII
 * text) or the `purpose` parameter. Scrubbed of ID and phone numbers and cut short: the audit log
 * must not become a store of personal data itself.
 */
export function readPurpose(header: string | undefined, parameter: string | undefined): string | undefined {
  const raw = header ?? parameter;
  if (raw === undefined) return undefined;
  let text = raw;
  if (header !== undefined) {
    try {
      text = decodeURIComponent(raw);
    } catch {
      // not percent-encoded: keep it as sent
    }
  }
  const clean = scrubPersonalData(text.replace(CONTROL, ' ').trim());
  if (clean === '') return undefined;
  const chars = Array.from(clean);
  return chars.length > MAX_PURPOSE ? `${chars.slice(0, MAX_PURPOSE - 1).join('')}…` : clean;
}
