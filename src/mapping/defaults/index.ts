/**
 * The default mapping of every provider object Tributary syncs, as data. An integration
 * starts from `defaultMapping(provider, object)` and may replace it through the API.
 *
 * Object names (the `source.object` of each document, and the `object` of the entity
 * links it produces): salesforce Account, Contact, Opportunity; notion page (any
 * database, generic), contact, task; slack user,
 * channel, message; github repository, issue, issue_comment; google contact, event, file.
 * Lookups forgive case, plurals and the common aliases (`contacts`, `conversations`,
 * `pull_requests`, `people`, `calendar_events`, `drive_files`, ...).
 */
import type { MappingDocument } from '../../domain/mapping.ts';
import { GITHUB_ISSUE, GITHUB_ISSUE_COMMENT, GITHUB_REPOSITORY } from './github.ts';
import { GOOGLE_CONTACT, GOOGLE_EVENT, GOOGLE_FILE } from './google.ts';
import { NOTION_CONTACT, NOTION_PAGE, NOTION_TASK } from './notion.ts';
import { SALESFORCE_ACCOUNT, SALESFORCE_CONTACT, SALESFORCE_OPPORTUNITY } from './salesforce.ts';
import { SLACK_CHANNEL, SLACK_MESSAGE, SLACK_USER } from './slack.ts';

const DEFAULTS: readonly MappingDocument[] = [
  SALESFORCE_ACCOUNT,
  SALESFORCE_CONTACT,
  SALESFORCE_OPPORTUNITY,
  NOTION_PAGE,
  NOTION_CONTACT,
  NOTION_TASK,
  SLACK_USER,
  SLACK_CHANNEL,
  SLACK_MESSAGE,
  GITHUB_REPOSITORY,
  GITHUB_ISSUE,
  GITHUB_ISSUE_COMMENT,
  GOOGLE_CONTACT,
  GOOGLE_EVENT,
  GOOGLE_FILE,
];

/** Every provider object with a default mapping: provider -> canonical object names. */
export const DEFAULT_OBJECTS: Readonly<Record<string, readonly string[]>> = Object.freeze(
  DEFAULTS.reduce<Record<string, string[]>>((acc, doc) => {
    (acc[doc.source.provider] ??= []).push(doc.source.object);
    return acc;
  }, {}),
);

const ALIASES: Record<string, Record<string, string>> = {
  notion: { databasepage: 'page', database: 'page', datasource: 'page', row: 'page', people: 'contact', person: 'contact', todo: 'task' },
  slack: { conversation: 'channel', member: 'user', people: 'user' },
  github: { repo: 'repository', repositorie: 'repository', pullrequest: 'issue', pull: 'issue', pr: 'issue', comment: 'issuecomment' },
  google: { person: 'contact', people: 'contact', connection: 'contact', peopleconnection: 'contact', calendarevent: 'event', drivefile: 'file' },
};

function normalise(name: string): string {
  const s = name.toLowerCase().replace(/[\s_-]+/g, '');
  if (s === 'people') return s;
  if (s.endsWith('ies') && s.length > 4) return `${s.slice(0, -3)}y`;
  return s.endsWith('s') && !s.endsWith('ss') ? s.slice(0, -1) : s;
}

function deepCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The default mapping for a provider object, as a fresh copy the caller may edit; null
 * when there is none. `opportunities` finds Opportunity, `pull_requests` the issue mapping.
 */
export function defaultMapping(provider: string, object: string): MappingDocument | null {
  const p = provider.toLowerCase();
  let o = normalise(object);
  o = ALIASES[p]?.[o] ?? o;
  const doc = DEFAULTS.find((d) => d.source.provider === p && normalise(d.source.object) === o);
  return doc ? deepCopy(doc) : null;
}

/** Every default mapping (copies). */
export function listDefaultMappings(): MappingDocument[] {
  return DEFAULTS.map(deepCopy);
}
