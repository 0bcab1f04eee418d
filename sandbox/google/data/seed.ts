import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { SandboxContext } from '../../core/types.ts';
import type { CalendarStore, Attendee } from './calendar-store.ts';
import type { DriveStore } from './drive-store.ts';
import type { PeopleStore, ContactFields } from './people-store.ts';

/** Share of the company's people that are in the Google user's contacts. */
export const GOOGLE_CONTACT_COVERAGE = 0.6;

const DAY = 86_400_000;

export interface GoogleOwner {
  email: string;
  name: string;
}

/**
 * Fills the Google account: the owner (the company's first person), contacts from the
 * people directory with Google's variations (national phone formats, home emails,
 * missing organisations), calendar events with those contacts as attendees, and Drive
 * files. Records ground truth for contacts. Deterministic for a seed and size.
 */
export function seedGoogle(ctx: SandboxContext, stores: { people: PeopleStore; calendar: CalendarStore; drive: DriveStore }): GoogleOwner {
  const rng = ctx.rng('google:seed');
  const now = ctx.clock.now();
  const first = ctx.people.all()[0];
  const owner: GoogleOwner = first ? { email: first.email, name: `${first.givenName} ${first.familyName}` } : { email: 'owner@example.com', name: 'Sandbox Owner' };

  const contacts: { email: string | null; name: string; company: string | null }[] = [];
  for (const variant of ctx.people.variantsFor('google', GOOGLE_CONTACT_COVERAGE)) {
    const person = ctx.people.byTruthId(variant.truthId);
    const fields: ContactFields = {
      names: [{ givenName: variant.givenName, familyName: variant.familyName }],
      emailAddresses: [],
      phoneNumbers: [],
      organizations: [],
    };
    if (variant.email) fields.emailAddresses.push({ value: variant.email, type: 'work' });
    if (person?.personalEmail && rng.chance(0.3)) fields.emailAddresses.push({ value: person.personalEmail, type: 'home' });
    if (variant.phone) {
      const parsed = parsePhoneNumberFromString(variant.phone, 'US');
      const national = parsed && parsed.country === 'US' && rng.chance(0.5) ? parsed.formatNational() : variant.phone;
      fields.phoneNumbers.push({ value: national, type: rng.chance(0.7) ? 'mobile' : 'work' });
    }
    if (variant.company || variant.title) fields.organizations.push({ name: variant.company, title: variant.title });
    const contact = stores.people.create(fields, now - rng.int(10, 700) * DAY);
    ctx.truth.record({ provider: 'google', object: 'contacts', externalId: contact.resourceName, truthId: variant.truthId });
    contacts.push({ email: variant.email, name: `${variant.givenName} ${variant.familyName}`, company: variant.company });
  }

  const topics = ['Intro call with', 'Quarterly review with', 'Lunch with', 'Demo for', 'Contract review with'];
  const eventCount = Math.ceil(contacts.length / 3);
  for (let i = 0; i < eventCount; i++) {
    const guests = contacts.length > 0 ? [rng.pick(contacts), ...(rng.chance(0.4) ? [rng.pick(contacts)] : [])] : [];
    const startAt = now + rng.int(-60, 30) * DAY + rng.int(8, 18) * 3_600_000;
    const startHour = Math.floor(startAt / 1_800_000) * 1_800_000;
    const attendees: Attendee[] = [{ email: owner.email, responseStatus: 'accepted', organizer: true, self: true }];
    for (const g of guests) {
      if (g.email && !attendees.some((a) => a.email === g.email)) {
        attendees.push({ email: g.email, displayName: g.name, responseStatus: rng.pick(['needsAction', 'accepted', 'tentative', 'declined'] as const) });
      }
    }
    stores.calendar.insert(
      owner.email,
      {
        summary: `${rng.pick(topics)} ${guests[0]?.name ?? 'the team'}`,
        start: { dateTime: new Date(startHour).toISOString(), timeZone: 'UTC' },
        end: { dateTime: new Date(startHour + rng.pick([30, 45, 60]) * 60_000).toISOString(), timeZone: 'UTC' },
        attendees,
      },
      { at: Math.min(now, startHour) - rng.int(1, 20) * DAY, silent: true },
    );
  }

  const fileCount = Math.ceil(contacts.length / 4);
  for (let i = 0; i < fileCount; i++) {
    const c = contacts.length > 0 ? rng.pick(contacts) : { company: 'Company', name: 'Someone' };
    const kind = rng.int(0, 3);
    const base = kind === 0 ? `Proposal - ${c.company ?? c.name}` : kind === 1 ? `Meeting notes - ${c.name}` : `Contract ${c.company ?? c.name}`;
    const [name, mimeType, size] =
      kind === 2 ? [`${base}.pdf`, 'application/pdf', rng.int(20_000, 2_000_000)] : [base, kind === 0 ? 'application/vnd.google-apps.document' : 'application/vnd.google-apps.spreadsheet', null];
    stores.drive.create({ name, mimeType, size }, { at: now - rng.int(1, 300) * DAY, silent: true });
  }
  return owner;
}
