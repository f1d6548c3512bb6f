import { maskIdNumber, maskName, maskPhone, scrubPersonalData } from '../../common/masking';
import type { CanonicalCase } from '../intake/canonical-case';

/** Applicant fields as clients see them: `张*`, `5101**********1234`, `138****5678`. */
export function maskedApplicant(applicant: CanonicalCase['applicant']): Record<string, string> {
  return {
    name: maskName(applicant.name),
    idNumber: maskIdNumber(applicant.idNumber),
    ...(applicant.phone ? { phone: maskPhone(applicant.phone) } : {}),
  };
}

const NAME_KEY = /^(name|fullName|personName|xm)$/i;
const ID_KEY = /(idNumber|idNo|idCard|certNo|zjhm)$/i;
const PHONE_KEY = /(phone|mobile|telephone|tel)$/i;
const ADDRESS_KEY = /address$/i;

/**
 * A service form with the personal data of the people in it masked (household members of a 低保
 * application carry names and ID numbers); free text is scrubbed of ID and phone numbers.
 */
export function maskedForm(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskedForm(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskedForm(v, k)]));
  }
  if (typeof value !== 'string') return value;
  if (NAME_KEY.test(key)) return maskName(value);
  if (ID_KEY.test(key)) return maskIdNumber(value);
  if (PHONE_KEY.test(key)) return maskPhone(value);
  if (ADDRESS_KEY.test(key)) return '***';
  return scrubPersonalData(value);
}
