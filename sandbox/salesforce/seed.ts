import type { SandboxContext } from '../core/types.ts';
import { computeDerived, type SalesforceData } from './data.ts';
import { OBJECTS } from './schema.ts';
import type { SfRecord } from './store.ts';

/** Default share of the company's people held as Salesforce Contacts. */
export const CONTACT_COVERAGE = 0.9;
const DAY = 86_400_000;

const INDUSTRIES = OBJECTS.Account?.byLowerName.get('industry')?.picklist ?? [];
const ACCOUNT_TYPES = OBJECTS.Account?.byLowerName.get('type')?.picklist ?? [];
const TIERS = ['Platinum', 'Gold', 'Silver', 'Bronze'];
const STAGES = OBJECTS.Opportunity?.byLowerName.get('stagename')?.picklist ?? [];
const LEAD_SOURCES = OBJECTS.Contact?.byLowerName.get('leadsource')?.picklist ?? [];

/**
 * Fills the org from the generated people: Contacts are the people's Salesforce variants
 * (90% coverage by default, with nicknames, typos, other phone formats...), Accounts their companies,
 * and a few Opportunities per Account. Created dates fall in the past year, last edits
 * between creation and a minute ago. Every Contact is recorded in the ground truth.
 */
export function seedSalesforce(ctx: SandboxContext, data: SalesforceData, coverage = CONTACT_COVERAGE): void {
  const rng = ctx.rng('salesforce:seed');
  const now = ctx.clock.now();
  data.resetCounters();
  const stamp = () => {
    const created = now - rng.int(2 * 60_000, 365 * DAY);
    const modstamp = rng.chance(0.4) ? created : rng.int(created, now - 60_000);
    return { created, modstamp: Math.max(created, modstamp) };
  };
  const base = (type: string, id: string, t: { created: number; modstamp: number }): SfRecord => ({
    id,
    key: id.slice(0, 15),
    type,
    fields: { IsDeleted: false, OwnerId: data.userId, CreatedById: data.userId, LastModifiedById: data.userId },
    created: t.created,
    modstamp: t.modstamp,
    deletedAt: null,
    truthId: null,
  });

  const variants = ctx.people.variantsFor('salesforce', coverage);
  const accountDef = OBJECTS.Account!;
  const contactDef = OBJECTS.Contact!;
  const oppDef = OBJECTS.Opportunity!;
  const accounts = new Map<string, SfRecord>();
  const contacts: SfRecord[] = [];
  for (const v of variants) {
    const person = ctx.people.byTruthId(v.truthId);
    let account: SfRecord | undefined;
    if (v.company && person) {
      account = accounts.get(person.company);
      if (!account) {
        account = base('Account', data.nextId(accountDef), stamp());
        Object.assign(account.fields, {
          Name: person.company,
          Website: `https://www.${person.companyDomain}`,
          Type: rng.pick(ACCOUNT_TYPES),
          Industry: rng.pick(INDUSTRIES),
          BillingCity: person.city,
          BillingCountry: person.country,
          NumberOfEmployees: rng.int(10, 20_000),
          AnnualRevenue: rng.int(1, 5000) * 100_000,
          Customer_Tier__c: rng.pick(TIERS),
        });
        accounts.set(person.company, account);
      }
    }
    const c = base('Contact', data.nextId(contactDef), stamp());
    if (account && c.created < account.created) c.created = account.created;
    if (c.modstamp < c.created) c.modstamp = c.created;
    Object.assign(c.fields, {
      AccountId: account?.id ?? null,
      FirstName: v.givenName,
      LastName: v.familyName,
      Title: v.title,
      Email: v.email,
      Phone: v.phone,
      MailingCity: v.city ?? null,
      MailingCountry: v.country ?? null,
      LeadSource: rng.pick(LEAD_SOURCES),
      Customer_Tier__c: account ? account.fields.Customer_Tier__c : null,
    });
    computeDerived(c);
    c.truthId = v.truthId;
    contacts.push(c);
  }

  const opportunities: SfRecord[] = [];
  const contactsByAccount = new Map<string, SfRecord[]>();
  for (const c of contacts) {
    const a = c.fields.AccountId as string | null;
    if (!a) continue;
    const list = contactsByAccount.get(a);
    if (list) list.push(c);
    else contactsByAccount.set(a, [c]);
  }
  for (const account of accounts.values()) {
    const n = rng.int(0, 4);
    for (let i = 0; i < n; i++) {
      const o = base('Opportunity', data.nextId(oppDef), stamp());
      const stage = rng.pick(STAGES);
      const close = new Date(o.created + rng.int(7, 180) * DAY).toISOString().slice(0, 10);
      const people = contactsByAccount.get(account.id);
      Object.assign(o.fields, {
        AccountId: account.id,
        ContactId: people ? rng.pick(people).id : null,
        Name: `${account.fields.Name} - ${rng.pick(['Renewal', 'Expansion', 'New Business', 'Pilot', 'Upsell'])} ${new Date(o.created).getUTCFullYear()}`,
        StageName: stage,
        CloseDate: close,
        Amount: rng.int(5, 500) * 1000,
        Probability: stage === 'Closed Won' ? 100 : stage === 'Closed Lost' ? 0 : rng.pick([10, 20, 40, 60, 75, 90]),
      });
      opportunities.push(o);
    }
  }

  data.stores.get('Account')!.load([...accounts.values()]);
  data.stores.get('Contact')!.load(contacts);
  data.stores.get('Opportunity')!.load(opportunities);
  for (const c of contacts) ctx.truth.record({ provider: 'salesforce', object: 'Contact', externalId: c.id, truthId: c.truthId as string });
}
