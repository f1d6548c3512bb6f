import Big from 'big.js';
import { MappingFunctionError } from './function-error';

const YUAN = /^-?\d+(\.\d{1,2})?$/;
/** Canonical amounts (`1234.35`): whole yuan and cents as integers, exact without a decimal library. */
const PLAIN_YUAN = /^(\d{1,13})(?:\.(\d{1,2}))?$/;
const FEN = /^-?\d+$/;

/**
 * `$yuanToFen('4.35')` → 435, exactly (big.js, never binary floating point). A JSONata number is
 * first cut to 15 significant digits, which undoes float noise such as 0.1 + 0.2; more than two
 * decimals is an error rather than a silent rounding of someone's money.
 */
export function yuanToFen(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new MappingFunctionError(`$yuanToFen: ${value} is not an amount`, 'TYPE');
    text = new Big(Number(value.toPrecision(15))).toFixed();
  } else if (typeof value === 'string') {
    const plain = PLAIN_YUAN.exec(value);
    if (plain) return +plain[1] * 100 + (plain[2] === undefined ? 0 : +plain[2].padEnd(2, '0'));
    text = value.trim();
  } else
    throw new MappingFunctionError(`$yuanToFen: expected an amount in yuan, got ${typeof value}`, 'TYPE');
  if (!YUAN.test(text)) {
    throw new MappingFunctionError(
      `$yuanToFen: "${text}" is not an amount in yuan with at most 2 decimals`,
      'TYPE',
    );
  }
  const fen = new Big(text).times(100);
  if (fen.abs().gt(Number.MAX_SAFE_INTEGER)) {
    throw new MappingFunctionError(`$yuanToFen: ${text} is too large`, 'TYPE');
  }
  return fen.toNumber();
}

/** `$fenToYuan(435)` → "4.35": a string, so that no float ever holds the amount. */
export function fenToYuan(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!FEN.test(text) || (typeof value === 'number' && !Number.isSafeInteger(value))) {
    throw new MappingFunctionError(
      `$fenToYuan: ${JSON.stringify(value)} is not a whole number of fen`,
      'TYPE',
    );
  }
  return new Big(text).div(100).toFixed(2);
}
