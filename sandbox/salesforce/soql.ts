/**
 * A small SOQL subset: `SELECT f1, Rel.f2 | COUNT() FROM Type [WHERE cond] [ORDER BY f
 * [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]`. Conditions: comparisons
 * (= != <> < <= > >=), LIKE, [NOT] IN (...), AND, OR, NOT and parentheses; values are
 * 'strings', numbers, true/false/null, unquoted datetimes (2024-01-01T00:00:00Z,
 * 2024-01-01T00:00:00.000+0000), dates (2024-01-01) and TODAY / YESTERDAY / LAST_N_DAYS:n.
 */

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; ms: number }
  | { kind: 'date'; text: string }
  | { kind: 'relative'; name: 'TODAY' | 'YESTERDAY' | 'LAST_N_DAYS'; n: number };

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like';

export type Cond =
  | { kind: 'cmp'; field: string; op: Op; value: Value }
  | { kind: 'in'; field: string; values: Value[]; not: boolean }
  | { kind: 'and'; items: Cond[] }
  | { kind: 'or'; items: Cond[] }
  | { kind: 'not'; item: Cond };

export interface Soql {
  /** Field paths as written: `Id`, `Account.Name`. Empty with COUNT(). */
  select: string[];
  count: boolean;
  from: string;
  where: Cond | null;
  orderBy: { field: string; desc: boolean; nullsLast: boolean }[];
  limit: number | null;
  offset: number | null;
}

type Token = { t: 'word' | 'string' | 'num' | 'dt' | 'op' | 'punct'; v: string; pos: number };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const dt = DATETIME.exec(rest) ?? DATE.exec(rest);
    if (dt) {
      out.push({ t: 'dt', v: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const n = text[++j] as string;
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
        } else v += text[j];
      }
      if (j >= text.length) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${text.slice(i, i + 20)}'`);
      out.push({ t: 'string', v, pos: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(rest);
    if (num) {
      out.push({ t: 'num', v: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const op = /^(?:!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      out.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if ('(),:'.includes(c)) {
      out.push({ t: 'punct', v: c, pos: i });
      i++;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (word) {
      out.push({ t: 'word', v: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${c}'`);
  }
  return out;
}

export function parseSoql(text: string): Soql {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const isKw = (kw: string, at = p) => tokens[at]?.t === 'word' && tokens[at]?.v.toUpperCase() === kw;
  const expectKw = (kw: string) => {
    if (!isKw(kw)) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${peek()?.v ?? 'end of query'}', expected ${kw}`);
    p++;
  };
  const expectPunct = (v: string) => {
    const t = peek();
    if (t?.t !== 'punct' || t.v !== v) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t?.v ?? 'end of query'}', expected '${v}'`);
    p++;
  };
  const word = () => {
    const t = peek();
    if (t?.t !== 'word') throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t?.v ?? 'end of query'}'`);
    p++;
    return t.v;
  };

  expectKw('SELECT');
  const select: string[] = [];
  let count = false;
  if (isKw('COUNT') && tokens[p + 1]?.v === '(') {
    p += 2;
    expectPunct(')');
    count = true;
  } else {
    for (;;) {
      select.push(word());
      if (peek()?.v === ',') p++;
      else break;
    }
  }
  expectKw('FROM');
  const from = word();
  let where: Cond | null = null;
  if (isKw('WHERE')) {
    p++;
    where = parseOr();
  }
  const orderBy: Soql['orderBy'] = [];
  if (isKw('ORDER')) {
    p++;
    expectKw('BY');
    for (;;) {
      const field = word();
      let desc = false;
      if (isKw('ASC')) p++;
      else if (isKw('DESC')) {
        p++;
        desc = true;
      }
      let nullsLast = desc;
      if (isKw('NULLS')) {
        p++;
        if (isKw('FIRST')) nullsLast = false;
        else if (isKw('LAST')) nullsLast = true;
        else throw new SoqlError('MALFORMED_QUERY', 'expected FIRST or LAST after NULLS');
        p++;
      }
      orderBy.push({ field, desc, nullsLast });
      if (peek()?.v === ',') p++;
      else break;
    }
  }
  let limit: number | null = null;
  let offset: number | null = null;
  for (let guard = 0; guard < 2; guard++) {
    if (isKw('LIMIT')) {
      p++;
      limit = intToken();
    } else if (isKw('OFFSET')) {
      p++;
      offset = intToken();
    }
  }
  if (p < tokens.length) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${tokens[p]?.v}'`);
  return { select, count, from, where, orderBy, limit, offset };

  function intToken(): number {
    const t = peek();
    if (t?.t !== 'num' || !/^\d+$/.test(t.v)) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t?.v ?? 'end of query'}', expected a number`);
    p++;
    return Number(t.v);
  }

  function parseOr(): Cond {
    const items = [parseAnd()];
    while (isKw('OR')) {
      p++;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as Cond) : { kind: 'or', items };
  }

  function parseAnd(): Cond {
    const items = [parseNot()];
    while (isKw('AND')) {
      p++;
      items.push(parseNot());
    }
    return items.length === 1 ? (items[0] as Cond) : { kind: 'and', items };
  }

  function parseNot(): Cond {
    if (isKw('NOT')) {
      p++;
      return { kind: 'not', item: parseNot() };
    }
    if (peek()?.v === '(') {
      p++;
      const inner = parseOr();
      expectPunct(')');
      return inner;
    }
    const field = word();
    if (isKw('NOT') && isKw('IN', p + 1)) {
      p += 2;
      return { kind: 'in', field, values: valueList(), not: true };
    }
    if (isKw('IN')) {
      p++;
      return { kind: 'in', field, values: valueList(), not: false };
    }
    if (isKw('LIKE')) {
      p++;
      return { kind: 'cmp', field, op: 'like', value: value() };
    }
    const t = peek();
    if (t?.t !== 'op') throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t?.v ?? 'end of query'}', expected an operator`);
    p++;
    return { kind: 'cmp', field, op: t.v as Op, value: value() };
  }

  function valueList(): Value[] {
    expectPunct('(');
    const values = [value()];
    while (peek()?.v === ',') {
      p++;
      values.push(value());
    }
    expectPunct(')');
    return values;
  }

  function value(): Value {
    const t = peek();
    if (!t) throw new SoqlError('MALFORMED_QUERY', 'unexpected end of query');
    p++;
    if (t.t === 'string') return { kind: 'string', value: t.v };
    if (t.t === 'num') return { kind: 'number', value: Number(t.v) };
    if (t.t === 'dt') {
      if (t.v.length === 10) return { kind: 'date', text: t.v };
      const iso = t.v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
      const ms = Date.parse(iso);
      if (Number.isNaN(ms)) throw new SoqlError('MALFORMED_QUERY', `invalid date: ${t.v}`);
      return { kind: 'datetime', ms };
    }
    if (t.t === 'word') {
      const upper = t.v.toUpperCase();
      if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE' };
      if (upper === 'NULL') return { kind: 'null' };
      if (upper === 'TODAY' || upper === 'YESTERDAY') return { kind: 'relative', name: upper, n: 0 };
      if (upper === 'LAST_N_DAYS') {
        expectPunct(':');
        return { kind: 'relative', name: 'LAST_N_DAYS', n: intToken() };
      }
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t.v}'`);
  }
}
