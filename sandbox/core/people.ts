import { en } from '@faker-js/faker';
import { createRng, hashUnit } from './rng.ts';
import type { PeopleDirectory, Person, PersonVariant, ProviderName, Rng } from './types.ts';
import {
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  COUNTRIES,
  EXECUTIVE_TITLES,
  NICKNAMES,
  PERSONAL_DOMAINS,
  TITLE_LEVELS,
  TITLE_ROLES,
  type CountryPlan,
} from './people-tables.ts';

/** One company of the generated world: the people's employers (Salesforce Accounts, ...). */
export interface Company {
  name: string;
  domain: string;
  country: string;
  city: string;
}

export interface SandboxPeople extends PeopleDirectory {
  companies(): readonly Company[];
}

/** How often each variation happens in one provider's copy of a person. */
interface VariationRates {
  nickname: number;
  typo: number;
  caseChange: number;
  missingPhone: number;
  missingEmail: number;
  nationalPhone: number;
  spacedPhone: number;
  oldEmail: number;
  personalEmail: number;
  missingTitle: number;
  missingCompany: number;
}

const BASE_RATES: VariationRates = {
  nickname: 0.3,
  typo: 0.03,
  caseChange: 0.04,
  missingPhone: 0.15,
  missingEmail: 0.03,
  nationalPhone: 0.25,
  spacedPhone: 0.15,
  oldEmail: 0.05,
  personalEmail: 0.05,
  missingTitle: 0.1,
  missingCompany: 0.04,
};

/** Each provider holds people the way its users enter them. */
const PROVIDER_RATES: Record<ProviderName, Partial<VariationRates>> = {
  salesforce: {},
  google: { personalEmail: 0.15, missingTitle: 0.3, missingCompany: 0.15 },
  slack: { missingPhone: 0.5, nickname: 0.45, missingEmail: 0, oldEmail: 0.02 },
  github: { missingPhone: 1, missingEmail: 0.5, missingTitle: 1, nickname: 0.35, personalEmail: 0.3 },
  notion: { missingPhone: 0.4, missingTitle: 0.3 },
  // Teams holds no people: its simulator only receives notification posts.
  teams: {},
};

const NICKNAME_NAMES = Object.keys(NICKNAMES);
const FIRST_NAMES = [...new Set([...(en.person?.first_name?.female ?? []), ...(en.person?.first_name?.male ?? [])])].filter((n) => /^[A-Za-z]+$/.test(n));
const LAST_NAMES = [...new Set(en.person?.last_name?.generic ?? [])].filter((n) => /^[A-Za-z' -]+$/.test(n));

/**
 * Generates the people of a world from (seed, size): deterministic, fast (100,000 people
 * in well under a second), every value from the seeded rng. Companies are ~1 per 25
 * people with a skewed size distribution, so some accounts are large.
 */
export function generatePeople(seed: number, size: number): SandboxPeople {
  const rng = createRng(seed, 'people');
  const companies = makeCompanies(seed, Math.max(1, Math.ceil(size / 25)));
  const people: Person[] = new Array(size);
  const usedEmails = new Map<string, number>();
  const usedLogins = new Map<string, number>();
  const digit = () => Math.floor(rng.next() * 10);
  for (let i = 0; i < size; i++) {
    const company = companies[Math.floor(companies.length * rng.next() ** 2)] as Company;
    const plan = COUNTRIES.find((c) => c.code === company.country) as CountryPlan;
    const givenName = rng.chance(0.35) ? rng.pick(NICKNAME_NAMES) : rng.pick(FIRST_NAMES);
    const familyName = rng.pick(LAST_NAMES);
    const nicks = NICKNAMES[givenName];
    const nickname = nicks ? rng.pick(nicks) : null;
    const g = slug(givenName);
    const f = slug(familyName);
    const email = unique(usedEmails, `${g}.${f}`, (n) => `${g}.${f}${n}`, `@${company.domain}`);
    const personalEmail = rng.chance(0.4) ? `${g}${rng.chance(0.5) ? '.' : ''}${f}${rng.chance(0.5) ? String(rng.int(1, 99)) : ''}@${rng.pick(PERSONAL_DOMAINS)}` : null;
    const phone = rng.chance(0.9) ? `+${plan.callingCode}${plan.nsn(digit)}` : null;
    const loginBase = rng.pick([`${g}${f}`, `${g[0]}${f}`, `${f}-${g}`, `${slug(nickname ?? givenName)}${f.slice(0, 3)}`, `${g}-dev`]);
    const githubLogin = unique(usedLogins, loginBase, (n) => `${loginBase}${n}`, '');
    people[i] = {
      truthId: `person-${String(i + 1).padStart(6, '0')}`,
      givenName,
      familyName,
      nickname,
      email,
      personalEmail,
      phone,
      company: company.name,
      companyDomain: company.domain,
      title: rng.chance(0.04) ? rng.pick(EXECUTIVE_TITLES) : `${rng.pick(TITLE_LEVELS)}${rng.pick(TITLE_ROLES)}`,
      city: rng.chance(0.8) ? company.city : rng.pick(plan.cities),
      country: plan.name,
      githubLogin,
    };
  }
  const byId = new Map(people.map((p) => [p.truthId, p]));
  const variantCache = new Map<string, PersonVariant[]>();
  return {
    all: () => people,
    companies: () => companies,
    byTruthId: (truthId) => byId.get(truthId),
    variantsFor(provider, coverage) {
      const key = `${provider}:${coverage}`;
      let cached = variantCache.get(key);
      if (!cached) {
        cached = makeVariants(seed, provider, coverage, people);
        variantCache.set(key, cached);
      }
      return cached;
    },
  };
}

function makeCompanies(seed: number, count: number): Company[] {
  const rng = createRng(seed, 'companies');
  const names = new Set<string>();
  const out: Company[] = [];
  const weights = COUNTRIES.reduce((s, c) => s + c.weight, 0);
  while (out.length < count) {
    let name = '';
    for (let tries = 0; tries < 12 && (name === '' || names.has(name)); tries++) {
      const base = rng.chance(0.5) ? rng.pick(COMPANY_WORDS) : rng.pick(LAST_NAMES);
      name = tries < 8 ? `${base} ${rng.pick(COMPANY_SUFFIXES)}` : `${base}, ${rng.pick(LAST_NAMES)} & ${rng.pick(LAST_NAMES)}`;
    }
    if (names.has(name)) name = `${name} ${names.size}`;
    names.add(name);
    let w = rng.next() * weights;
    let plan = COUNTRIES[0] as CountryPlan;
    for (const c of COUNTRIES) {
      w -= c.weight;
      if (w < 0) {
        plan = c;
        break;
      }
    }
    out.push({ name, domain: `${slug(name)}.${plan.tld}`, country: plan.code, city: rng.pick(plan.cities) });
  }
  return out;
}

function makeVariants(seed: number, provider: ProviderName, coverage: number, people: readonly Person[]): PersonVariant[] {
  const rates = { ...BASE_RATES, ...PROVIDER_RATES[provider] };
  const rng = createRng(seed, `variants:${provider}`);
  const out: PersonVariant[] = [];
  for (const p of people) {
    if (hashUnit(`${seed}:${provider}:${p.truthId}`) >= coverage) continue;
    out.push(vary(p, rates, rng));
  }
  return out;
}

function vary(p: Person, rates: VariationRates, rng: Rng): PersonVariant {
  let givenName = p.nickname && rng.chance(rates.nickname) ? p.nickname : p.givenName;
  let familyName = p.familyName;
  if (rng.chance(rates.typo)) {
    if (rng.chance(0.5)) givenName = typo(givenName, rng);
    else familyName = typo(familyName, rng);
  }
  if (rng.chance(rates.caseChange)) {
    const style = rng.int(0, 3);
    if (style === 0) familyName = familyName.toUpperCase();
    else if (style === 1) givenName = givenName.toLowerCase();
    else {
      givenName = givenName.toLowerCase();
      familyName = familyName.toLowerCase();
    }
  }
  let email: string | null = p.email;
  if (rng.chance(rates.missingEmail)) email = null;
  else if (rng.chance(rates.oldEmail)) email = `${slug(p.givenName)[0]}${slug(p.familyName)}@${rng.chance(0.5) ? 'old-' : ''}${p.companyDomain}`;
  else if (p.personalEmail && rng.chance(rates.personalEmail)) email = p.personalEmail;
  if (email && rng.chance(rates.caseChange)) email = email.replace(/^./, (c) => c.toUpperCase());
  let phone: string | null = p.phone;
  if (phone && rng.chance(rates.missingPhone)) phone = null;
  if (phone) {
    const plan = COUNTRIES.find((c) => phone?.startsWith(`+${c.callingCode}`)) as CountryPlan;
    const nsn = phone.slice(plan.callingCode.length + 1);
    const roll = rng.next();
    if (roll < rates.nationalPhone) phone = plan.national(nsn);
    else if (roll < rates.nationalPhone + rates.spacedPhone) phone = plan.spaced(nsn);
  }
  const missingCompany = rng.chance(rates.missingCompany);
  return {
    truthId: p.truthId,
    givenName,
    familyName,
    email,
    phone,
    company: missingCompany ? null : p.company,
    title: rng.chance(rates.missingTitle) ? null : p.title,
    companyDomain: p.companyDomain,
    city: p.city,
    country: p.country,
    githubLogin: p.githubLogin,
  };
}

/** One realistic keyboard slip: a swapped pair, a dropped letter or a doubled letter. */
function typo(word: string, rng: Rng): string {
  if (word.length < 4) return word + word[word.length - 1];
  const i = rng.int(1, word.length - 1);
  const kind = rng.int(0, 3);
  if (kind === 0) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (kind === 1) return word.slice(0, i) + word.slice(i + 1);
  return word.slice(0, i) + word[i] + word.slice(i);
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** `base+suffix`, or the first free `numbered(n)+suffix`; remembers the next n per base so long runs stay O(1). */
function unique(used: Map<string, number>, base: string, numbered: (n: number) => string, suffix: string): string {
  let candidate = base + suffix;
  if (!used.has(candidate)) {
    used.set(candidate, 2);
    return candidate;
  }
  let n = used.get(candidate) as number;
  const key = candidate;
  for (candidate = numbered(n) + suffix; used.has(candidate); candidate = numbered(++n) + suffix);
  used.set(key, n + 1);
  used.set(candidate, 2);
  return candidate;
}
