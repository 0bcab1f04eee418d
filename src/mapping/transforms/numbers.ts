/** Numbers, money and booleans. */
import type { TransformDef } from './types.ts';
import { TransformError, arg, describe, identity, normalizingInverse } from './types.ts';

/**
 * Reads a number written in most locales: "1,234.56", "1.234,56", "1 234,56", "1'234.56",
 * "€ 12", "(12.5)" (negative), "12%"-free text. With both separators, the last one is the
 * decimal point; a lone separator followed by exactly three digits is a thousands
 * separator unless `decimal` says otherwise.
 */
export function parseNumber(value: unknown, decimal?: '.' | ','): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TransformError(`not a finite number: ${describe(value)}`);
    return value;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') throw new TransformError(`not a number: ${describe(value)}`);
  let s = value.trim();
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  s = s.replace(/[\s\u00a0\u202f']/g, '').replace(/^[^\d+\-.,]+|[^\d.,]+$/g, '');
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  if (!/^[\d.,]+$/.test(s) || !/\d/.test(s)) throw new TransformError(`not a number: ${describe(value)}`);
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let decimalSep: string | null;
  if (lastDot >= 0 && lastComma >= 0) decimalSep = lastDot > lastComma ? '.' : ',';
  else if (lastDot < 0 && lastComma < 0) decimalSep = null;
  else {
    const sep = lastDot >= 0 ? '.' : ',';
    const count = s.split(sep).length - 1;
    const after = s.length - s.lastIndexOf(sep) - 1;
    if (decimal) decimalSep = decimal === sep && count === 1 ? sep : null;
    else decimalSep = count > 1 || (after === 3 && s.indexOf(sep) > 0) ? null : sep;
  }
  const thousands = decimalSep === '.' ? ',' : decimalSep === ',' ? '.' : null;
  let normalised = thousands ? s.split(thousands).join('') : s.replace(/[.,]/g, '');
  if (decimalSep === ',') normalised = normalised.replace(',', '.');
  const n = Number(normalised);
  if (!Number.isFinite(n)) throw new TransformError(`not a number: ${describe(value)}`);
  return negative ? -n : n;
}

const decimalArg = { name: 'decimal', type: 'string', required: false, doc: 'The decimal separator when known: "." or ",".', oneOf: ['.', ','] } as const;

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const CURRENCY_SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW', 'CHF': 'CHF', 'R$': 'BRL', 'A$': 'AUD', 'C$': 'CAD' };

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1', 'on', 'checked', 'x']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0', 'off', 'unchecked', '']);

export function parseBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (value === 1) return true;
    if (value === 0) return false;
  }
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s)) return false;
  }
  throw new TransformError(`not a yes/no value: ${describe(value)}`);
}

export const NUMBER_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'to_number',
    doc: 'Reads a number in any common locale format ("1.234,56" -> 1234.56). Inverse: the number as it is.',
    input: 'any',
    output: 'number',
    args: [decimalArg],
    make: (args) => {
      const decimal = arg<'.' | ',' | undefined>(args, 0, undefined);
      return (v) => parseNumber(v, decimal);
    },
    inverse: normalizingInverse,
  },
  {
    name: 'to_integer',
    doc: 'Reads a number and rounds it to the nearest integer. Inverse: the integer as it is.',
    input: 'any',
    output: 'integer',
    args: [decimalArg],
    make: (args) => {
      const decimal = arg<'.' | ',' | undefined>(args, 0, undefined);
      return (v) => Math.round(parseNumber(v, decimal));
    },
    inverse: normalizingInverse,
  },
  {
    name: 'round',
    doc: 'Rounds to `digits` decimals (default 0), half away from zero. Inverse: the rounded number as it is.',
    input: 'number',
    output: 'number',
    args: [{ name: 'digits', type: 'integer', required: false, doc: 'Decimals to keep, 0-10.' }],
    make: (args) => {
      const f = 10 ** Math.min(10, Math.max(0, arg(args, 0, 0)));
      return (v) => {
        const n = parseNumber(v);
        // toPrecision removes binary noise first, so 1.005 rounds to 1.01 as written.
        return (Math.sign(n) * Math.round(Number((Math.abs(n) * f).toPrecision(15)))) / f;
      };
    },
    inverse: normalizingInverse,
  },
  {
    name: 'multiply',
    doc: 'Multiplies by `factor` (cents -> units with 0.01). Inverse: divides.',
    input: 'number',
    output: 'number',
    args: [{ name: 'factor', type: 'number', required: true, doc: 'A non-zero factor.' }],
    make: (args) => {
      const factor = arg(args, 0, 1);
      return (v) => parseNumber(v) * factor;
    },
    inverse: {
      kind: 'exact',
      make: (args) => {
        const factor = arg(args, 0, 1);
        return (v) => parseNumber(v) / factor;
      },
    },
  },
  {
    name: 'currency',
    doc: 'Money as { amount, currency }: from a number with the `code` argument, from text such as "€1.234,50" or "USD 12", or from sources [amount, code]. Inverse: [amount, code] for two sources; the amount with a `code` argument; else text "USD 12.5".',
    input: 'any',
    output: 'object',
    args: [{ name: 'code', type: 'currency', required: false, doc: 'ISO 4217 code used when the value has none.' }],
    multiSource: true,
    make: (args) => {
      const fixed = arg<string | null>(args, 0, null);
      return (v) => {
        let amountPart: unknown = v;
        let code: string | null = null;
        if (Array.isArray(v)) {
          amountPart = v[0];
          code = typeof v[1] === 'string' && v[1] !== '' ? v[1].toUpperCase() : null;
          if (amountPart === null || amountPart === undefined) return null;
        } else if (typeof v === 'string') {
          const iso = /\b([A-Za-z]{3})\b/.exec(v);
          if (iso) {
            code = (iso[1] as string).toUpperCase();
            if (!ISO_CURRENCIES.has(code)) throw new TransformError(`not an ISO 4217 code: ${describe(iso[1])}`);
          }
          else for (const [symbol, c] of Object.entries(CURRENCY_SYMBOLS)) if (v.includes(symbol)) code = c;
          amountPart = v.replace(/\b[A-Za-z]{3}\b/, '');
        }
        code ??= fixed;
        if (!code) throw new TransformError(`no currency code for ${describe(v)}`);
        if (!/^[A-Z]{3}$/.test(code)) throw new TransformError(`not an ISO 4217 code: ${describe(code)}`);
        return { amount: parseNumber(amountPart), currency: code } satisfies Money;
      };
    },
    inverse: {
      kind: 'exact',
      make: (args, sourceCount) => {
        const fixed = arg<string | null>(args, 0, null);
        return (v) => {
          if (typeof v !== 'object' || v === null || typeof (v as Money).amount !== 'number') throw new TransformError(`not money: ${describe(v)}`);
          const { amount, currency } = v as Money;
          if (sourceCount === 2) return [amount, currency];
          if (fixed !== null) {
            if (currency !== fixed) throw new TransformError(`the source holds ${fixed} amounts, not ${currency}`);
            return amount;
          }
          return `${currency} ${amount}`;
        };
      },
    },
  },
  {
    name: 'to_boolean',
    doc: 'yes/no, y/n, true/false, 1/0, on/off, checked -> boolean. Inverse: the boolean, or `trueValue`/`falseValue` when given.',
    input: 'any',
    output: 'boolean',
    args: [
      { name: 'trueValue', type: 'any', required: false, doc: 'Written back for true.' },
      { name: 'falseValue', type: 'any', required: false, doc: 'Written back for false.' },
    ],
    make: () => (v) => parseBoolean(v),
    inverse: {
      kind: 'exact',
      make: (args) => {
        if (args[0] === undefined && args[1] === undefined) return identity;
        return (v) => (parseBoolean(v) ? args[0] : args[1]);
      },
    },
  },
  {
    name: 'not',
    doc: 'Negates a boolean (archived -> active). Inverse: itself.',
    input: 'boolean',
    output: 'boolean',
    args: [],
    make: () => (v) => !parseBoolean(v),
    inverse: { kind: 'exact', make: () => (v) => !parseBoolean(v) },
  },
];
