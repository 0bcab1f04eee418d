/**
 * Date and time transforms. Nothing here reads the clock or the machine's time zone:
 * local times are read in an explicit zone (an argument, else the context's `timeZone`),
 * using Intl for the zone rules.
 */
import type { TransformDef } from './types.ts';
import { TransformError, arg, describe, normalizingInverse } from './types.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when Intl knows the zone. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function localParts(epochMs: number, zone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(epochMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year as number, mo: parts.month as number, d: parts.day as number, h: parts.hour as number, mi: parts.minute as number, s: parts.second as number };
}

/** The zone's offset from UTC at an instant, in minutes. */
export function zoneOffsetMinutes(epochMs: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const p = localParts(epochMs, zone);
  const asUtc = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
  return Math.round((asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000))) / 60_000);
}

const DAY_MS = 86_400_000;

/**
 * The instant of a wall-clock time in a zone. A time that happens twice (clocks going
 * back) gives the earlier instant; a time that never happens (clocks going forward) is
 * read with the offset before the change, landing after the gap (as Temporal's
 * "compatible" disambiguation does).
 */
function fromLocal(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zone: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (zone === 'UTC') return wall;
  const before = zoneOffsetMinutes(wall - DAY_MS, zone);
  const after = zoneOffsetMinutes(wall + DAY_MS, zone);
  const valid = [before, after]
    .map((offset) => wall - offset * 60_000)
    .filter((t) => wall - t === zoneOffsetMinutes(t, zone) * 60_000);
  return valid.length > 0 ? Math.min(...valid) : wall - before * 60_000;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const SLASHED = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;

export type ParsedTime = { kind: 'date'; date: string } | { kind: 'instant'; epochMs: number };

/**
 * Reads ISO 8601 dates and date-times (offsets with or without a colon, as Salesforce's
 * `+0000`), `YYYY/MM/DD`, epoch numbers (milliseconds when at least 1e11, else seconds)
 * and Date objects. A date-time without an offset is read in `zone`. A bare date stays a
 * calendar date (no zone applies to it).
 */
export function parseTime(value: unknown, zone: string): ParsedTime {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TransformError('invalid date');
    return { kind: 'instant', epochMs: value.getTime() };
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TransformError(`not a time: ${describe(value)}`);
    return { kind: 'instant', epochMs: Math.abs(value) >= 1e11 ? value : value * 1000 };
  }
  if (typeof value !== 'string') throw new TransformError(`not a date: ${describe(value)}`);
  const s = value.trim();
  const slashed = SLASHED.exec(s);
  if (slashed) return checkedDate(Number(slashed[1]), Number(slashed[2]), Number(slashed[3]), value);
  const m = ISO.exec(s);
  if (!m) throw new TransformError(`not an ISO 8601 date: ${describe(value)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (m[4] === undefined) return checkedDate(y, mo, d, value);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const sec = Number(m[6] ?? 0);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (!isCalendarDate(y, mo, d)) throw invalidDate(value);
  if (h > 23 || mi > 59 || sec > 60) throw new TransformError(`not a valid time: ${describe(value)}`);
  const offset = m[8];
  if (!offset) return { kind: 'instant', epochMs: fromLocal(y, mo, d, h, mi, sec, ms, zone) };
  let offsetMin = 0;
  if (offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    offsetMin = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * (offset[0] === '-' ? -1 : 1);
  }
  return { kind: 'instant', epochMs: Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60_000 };
}

function checkedDate(y: number, mo: number, d: number, original: unknown): ParsedTime {
  if (!isCalendarDate(y, mo, d)) throw invalidDate(original);
  return { kind: 'date', date: `${String(y).padStart(4, '0')}-${pad(mo)}-${pad(d)}` };
}

/** True when the day exists (no 31 April); builds no text, as every date-time of a sync passes here. */
function isCalendarDate(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const invalidDate = (original: unknown): TransformError => new TransformError(`not a valid date: ${describe(original)}`);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** ISO 8601 of an instant: `...Z` in UTC, else the zone's local time with its offset. */
export function formatInstant(epochMs: number, zone: string): string {
  if (zone === 'UTC') return new Date(epochMs).toISOString();
  const offset = zoneOffsetMinutes(epochMs, zone);
  const local = new Date(epochMs + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A UTC millisecond timestamp as providers send it (Salesforce: `2024-01-15T10:30:00.000+0000`). */
const UTC_MS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}(?:Z|[+-]00:?00)$/;
const digits2 = (s: string, at: number): number => (s.charCodeAt(at) - 48) * 10 + s.charCodeAt(at + 1) - 48;

/**
 * What `datetime` to UTC gives for a time already in that shape with every part in
 * range, without parsing it into a Date and formatting it back (the ingest hot path:
 * every record carries two); null for anything else, which takes the general path.
 */
function utcAsIs(value: string): string | null {
  if (!UTC_MS.test(value)) return null;
  const y = Number(value.slice(0, 4));
  const mo = digits2(value, 5);
  const d = digits2(value, 8);
  const days = mo === 2 ? (isLeap(y) ? 29 : 28) : MONTH_31.has(mo) ? 31 : 30;
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > days) return null;
  if (digits2(value, 11) > 23 || digits2(value, 14) > 59 || digits2(value, 17) > 59) return null;
  return value.length === 24 && value.endsWith('Z') ? value : `${value.slice(0, 23)}Z`;
}
const MONTH_31 = new Set([1, 3, 5, 7, 8, 10, 12]);
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function instantOf(value: unknown, zone: string): number {
  const t = parseTime(value, zone);
  if (t.kind === 'instant') return t.epochMs;
  const [y, mo, d] = t.date.split('-').map(Number) as [number, number, number];
  return fromLocal(y, mo, d, 0, 0, 0, 0, zone);
}

const zoneArg = (doc: string) => ({ name: 'timeZone', type: 'timezone', required: false, doc }) as const;

export const DATE_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'datetime',
    doc: 'Any date/time -> ISO 8601 date-time: UTC ("...Z") by default, or local time with offset in `timeZone`. Local inputs are read in `inputTimeZone` (default: context timeZone).',
    input: 'any',
    output: 'string',
    args: [zoneArg('Output zone (default UTC).'), { name: 'inputTimeZone', type: 'timezone', required: false, doc: 'Zone of inputs without an offset.' }],
    make: (args) => {
      const out = arg(args, 0, 'UTC');
      const inputZone = arg<string | null>(args, 1, null);
      return (v, ctx) => (out === 'UTC' && typeof v === 'string' ? utcAsIs(v) : null) ?? formatInstant(instantOf(v, inputZone ?? ctx.timeZone), out);
    },
    inverse: normalizingInverse,
  },
  {
    name: 'date',
    doc: 'Any date/time -> calendar date "YYYY-MM-DD" as seen in `timeZone` (default: context timeZone). A bare date stays as it is.',
    input: 'any',
    output: 'string',
    args: [zoneArg('Zone in which the day is taken.')],
    make: (args) => {
      const fixed = arg<string | null>(args, 0, null);
      return (v, ctx) => {
        const zone = fixed ?? ctx.timeZone;
        const t = parseTime(v, zone);
        if (t.kind === 'date') return t.date;
        const p = localParts(t.epochMs, zone);
        return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}`;
      };
    },
    inverse: normalizingInverse,
  },
  {
    name: 'epoch_to_iso',
    doc: 'Epoch number (or numeric text) in `unit` (s or ms, default s) -> ISO 8601 UTC. Inverse: iso_to_epoch.',
    input: 'any',
    output: 'string',
    args: [{ name: 'unit', type: 'string', required: false, doc: '"s" (default) or "ms".', oneOf: ['s', 'ms'] }],
    make: (args) => {
      const factor = arg<string>(args, 0, 's') === 'ms' ? 1 : 1000;
      return (v) => {
        const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isFinite(n)) throw new TransformError(`not an epoch number: ${describe(v)}`);
        return new Date(n * factor).toISOString();
      };
    },
    inverse: {
      kind: 'exact',
      make: (args) => {
        const factor = arg<string>(args, 0, 's') === 'ms' ? 1 : 1000;
        return (v, ctx) => instantOf(v, ctx.timeZone) / factor;
      },
    },
  },
  {
    name: 'iso_to_epoch',
    doc: 'Any date/time -> epoch number in `unit` (s or ms, default s). Inverse: epoch_to_iso.',
    input: 'any',
    output: 'number',
    args: [{ name: 'unit', type: 'string', required: false, doc: '"s" (default) or "ms".', oneOf: ['s', 'ms'] }],
    make: (args) => {
      const factor = arg<string>(args, 0, 's') === 'ms' ? 1 : 1000;
      return (v, ctx) => instantOf(v, ctx.timeZone) / factor;
    },
    inverse: {
      kind: 'exact',
      make: (args) => {
        const factor = arg<string>(args, 0, 's') === 'ms' ? 1 : 1000;
        return (v) => {
          if (typeof v !== 'number') throw new TransformError(`not an epoch number: ${describe(v)}`);
          return new Date(v * factor).toISOString();
        };
      },
    },
  },
  {
    name: 'slack_ts_to_iso',
    doc: 'A Slack message timestamp ("1355517523.000005") -> ISO 8601 UTC (millisecond precision, so not invertible: the ts is an id).',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => {
      const n = typeof v === 'string' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new TransformError(`not a Slack ts: ${describe(v)}`);
      return new Date(Math.floor(n * 1000)).toISOString();
    },
  },
];
