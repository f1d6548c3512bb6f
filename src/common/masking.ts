/**
 * Display and log masking for personal data (GB/T 35273 style: show just enough to recognise a record).
 * Everything works on code points, so CJK Extension B characters such as 𠮷 count as one character.
 */

function stars(count: number): string {
  return count > 0 ? '*'.repeat(count) : '';
}

/** `510104199001011234` → `5101**********1234`; values too short to keep both ends are fully masked. */
export function maskIdNumber(idNumber: string): string {
  const chars = Array.from(idNumber.trim());
  if (chars.length <= 8) return stars(chars.length);
  return chars.slice(0, 4).join('') + stars(chars.length - 8) + chars.slice(-4).join('');
}

// Grouping characters people type into phone numbers, and a mainland country code before a mobile.
const PHONE_GROUPING = /[\s().-]/gu;
const MAINLAND_MOBILE_WITH_COUNTRY_CODE = /^(?:\+|00)?86(1[3-9]\d{9})$/;

/**
 * `13812345678` → `138****5678`; `+86 138-1234-5678` → `138****5678` too (grouping and a mainland
 * country code are dropped first, so the form does not depend on how the number was typed).
 */
export function maskPhone(phone: string): string {
  const compact = phone.trim().replace(PHONE_GROUPING, '');
  const chars = Array.from(compact.replace(MAINLAND_MOBILE_WITH_COUNTRY_CODE, '$1'));
  if (chars.length <= 7) return stars(chars.length);
  return chars.slice(0, 3).join('') + stars(chars.length - 7) + chars.slice(-4).join('');
}

// Separators inside transliterated minority and foreign names (阿依古丽·买买提); dropped rather than
// shown, so the mask does not reveal how the name is composed.
const NAME_SEPARATOR = /^[\s·•・‧.．ᐧ-]$/u;

/** `张三` → `张*`, `阿依古丽·买买提` → `阿******`: first character, then one `*` per further character. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  const rest = chars.slice(1).filter((char) => !NAME_SEPARATOR.test(char)).length;
  return chars[0] + stars(rest);
}

/*
 * Resident ID: 17 digits + check digit/X, not glued to other digits (stricter than \b, which would
 * miss `uid510104199001011234` or `_510104…`). Mobile: 1[3-9]x xxxx xxxx, optionally with +86/0086/86
 * and consistent space or dash grouping, not part of a longer digit run.
 */
const PERSONAL_DATA =
  /(?<!\d)(?:(?<id>\d{17}[\dXx])|(?<cc>(?:\+|00)?86[ -]?)?(?<head>1[3-9]\d)(?<sep>[ -]?)\d{4}\k<sep>(?<tail>\d{4}))(?!\d)/g;

const PERSONAL_DATA_TEST = new RegExp(PERSONAL_DATA.source);

/** Cheap pre-check, so callers can skip work on the (usual) text that has nothing to mask. */
export function containsPersonalData(text: string): boolean {
  return PERSONAL_DATA_TEST.test(text);
}

interface PersonalDataGroups {
  id?: string;
  cc?: string;
  head?: string;
  sep?: string;
  tail?: string;
}

/** Masks resident ID numbers and mainland mobile numbers inside free text (log messages, error excerpts). */
export function scrubPersonalData(text: string): string {
  return text.replace(PERSONAL_DATA, (...args: unknown[]) => {
    const groups = args[args.length - 1] as PersonalDataGroups;
    if (groups.id !== undefined) return maskIdNumber(groups.id);
    const sep = groups.sep ?? '';
    return `${groups.cc ?? ''}${groups.head ?? ''}${sep}****${sep}${groups.tail ?? ''}`;
  });
}
