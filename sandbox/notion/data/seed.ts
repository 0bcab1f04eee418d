import type { Person, SandboxContext } from '../../core/types.ts';
import type { DataSourceRecord, StoredValue } from './model.ts';
import { richText } from './rich-text.ts';
import { buildSchemas } from './schemas.ts';
import type { NotionStore } from './store.ts';

/** Share of the company's people that appear as Notion contact pages. */
export const NOTION_CONTACT_COVERAGE = 0.4;

const DAY = 86_400_000;

/**
 * Fills `store` with one workspace: users (a few of the company's people plus the
 * integration's bot), a "Contacts" database whose pages are people variants, a "Tasks"
 * database related to it, and paragraph blocks. Records ground truth for contact pages
 * and people users. Deterministic for a given sandbox seed and size.
 */
export function seedNotion(ctx: SandboxContext, store: NotionStore): void {
  const rng = ctx.rng('notion:seed');
  const now = ctx.clock.now();
  const ids = store.ids;
  store.workspaceId = ids.uuid();
  store.workspaceName = 'Tributary Sandbox';

  const bot = { id: ids.uuid(), type: 'bot' as const, name: 'Tributary', email: null, avatarUrl: null };
  store.users.set(bot.id, bot);
  store.botUserId = bot.id;

  const everyone = ctx.people.all();
  const memberCount = Math.min(25, Math.max(3, Math.ceil(everyone.length / 50)), everyone.length);
  const members: string[] = [];
  for (const person of everyone.slice(0, memberCount)) {
    const user = { id: ids.uuid(), type: 'person' as const, name: `${person.givenName} ${person.familyName}`, email: person.email, avatarUrl: null };
    store.users.set(user.id, user);
    members.push(user.id);
    ctx.truth.record({ provider: 'notion', object: 'users', externalId: user.id, truthId: person.truthId });
  }
  const author = (): string => (members.length > 0 ? rng.pick(members) : bot.id);

  const refs = { contactsDb: ids.uuid(), contactsDs: ids.uuid(), tasksDb: ids.uuid(), tasksDs: ids.uuid() };
  const schemas = buildSchemas(ids, refs);
  const created = now - 400 * DAY;
  const dataSource = (id: string, databaseId: string, name: string, objectName: string, properties: DataSourceRecord['properties'], prefix: string): DataSourceRecord => ({
    id,
    databaseId,
    name,
    createdAt: created,
    editedAt: created,
    createdBy: author(),
    editedBy: bot.id,
    inTrash: false,
    properties,
    uniquePrefix: prefix,
    nextUniqueNumber: 1,
    objectName,
  });
  const contacts = dataSource(refs.contactsDs, refs.contactsDb, 'Contacts', 'contacts', schemas.contacts, 'CON');
  const tasks = dataSource(refs.tasksDs, refs.tasksDb, 'Tasks', 'tasks', schemas.tasks, 'TSK');
  for (const ds of [contacts, tasks]) {
    store.dataSources.set(ds.id, ds);
    store.databases.set(ds.databaseId, {
      id: ds.databaseId,
      title: ds.name,
      createdAt: created,
      editedAt: created,
      createdBy: ds.createdBy,
      editedBy: ds.editedBy,
      inTrash: false,
      dataSourceIds: [ds.id],
    });
  }

  const byTruth = new Map<string, Person>(everyone.map((p) => [p.truthId, p]));
  const prop = (ds: DataSourceRecord, name: string) => {
    const schema = ds.properties.find((p) => p.name === name);
    if (!schema) throw new Error(`schema lacks ${name}`);
    return schema;
  };
  const optionsOf = (ds: DataSourceRecord, name: string) => prop(ds, name).config.options as { id: string; name: string; color: string }[];

  const contactIds: string[] = [];
  for (const variant of ctx.people.variantsFor('notion', NOTION_CONTACT_COVERAGE)) {
    const person = byTruth.get(variant.truthId);
    const at = now - rng.int(30, 365) * DAY - rng.int(0, DAY);
    const editedAt = Math.min(now - 60_000, at + rng.int(0, 30) * DAY + rng.int(0, DAY));
    const values = new Map<string, StoredValue>();
    values.set('title', [richText(`${variant.givenName} ${variant.familyName}`.trim())]);
    values.set(prop(contacts, 'Email').id, variant.email);
    values.set(prop(contacts, 'Phone').id, variant.phone);
    values.set(prop(contacts, 'Company').id, variant.company ? [richText(variant.company)] : []);
    values.set(prop(contacts, 'Job title').id, variant.title ? [richText(variant.title)] : []);
    values.set(prop(contacts, 'Score').id, rng.chance(0.8) ? rng.int(0, 101) : null);
    values.set(prop(contacts, 'Stage').id, rng.pick(optionsOf(contacts, 'Stage')));
    const tags = optionsOf(contacts, 'Tags').filter(() => rng.chance(0.25));
    values.set(prop(contacts, 'Tags').id, tags);
    values.set(prop(contacts, 'Status').id, rng.pick(optionsOf(contacts, 'Status')));
    values.set(
      prop(contacts, 'Last contacted').id,
      rng.chance(0.7) ? { start: new Date(editedAt - rng.int(0, 60) * DAY).toISOString().slice(0, 10), end: null, time_zone: null } : null,
    );
    values.set(prop(contacts, 'Owner').id, members.length > 0 ? [rng.pick(members)] : []);
    values.set(
      prop(contacts, 'Attachments').id,
      rng.chance(0.2) ? [{ name: 'business-card.png', type: 'external', external: { url: `https://files.example.com/${variant.truthId}/business-card.png` } }] : [],
    );
    values.set(prop(contacts, 'Subscribed').id, rng.chance(0.4));
    values.set(prop(contacts, 'Website').id, person && rng.chance(0.6) ? `https://${person.companyDomain}` : null);
    const page = store.createPage(contacts, values, author(), { at, editedAt, silent: true });
    store.appendBlocks(page, [{ type: 'paragraph', content: { rich_text: [richText(`Met ${variant.givenName} in ${person?.city ?? 'town'}.`)], color: 'default' } }], page.createdBy, { at, silent: true });
    contactIds.push(page.id);
    ctx.truth.record({ provider: 'notion', object: 'contacts', externalId: page.id, truthId: variant.truthId });
  }

  const taskCount = Math.ceil(contactIds.length / 2);
  const verbs = ['Call', 'Email', 'Send proposal to', 'Follow up with', 'Book demo for'];
  for (let i = 0; i < taskCount; i++) {
    const contactId = contactIds.length > 0 ? rng.pick(contactIds) : null;
    const contact = contactId ? store.pages.get(contactId) : undefined;
    const name = contact ? ((contact.values.get('title') as { plain_text: string }[])[0]?.plain_text ?? 'contact') : 'contact';
    const at = now - rng.int(1, 30) * DAY - rng.int(0, DAY);
    const values = new Map<string, StoredValue>();
    values.set('title', [richText(`${rng.pick(verbs)} ${name}`)]);
    values.set(prop(tasks, 'Done').id, rng.chance(0.3));
    values.set(prop(tasks, 'Due').id, { start: new Date(at + rng.int(1, 20) * DAY).toISOString().slice(0, 10), end: null, time_zone: null });
    values.set(prop(tasks, 'Assignee').id, members.length > 0 ? [rng.pick(members)] : []);
    if (contactId) values.set(prop(tasks, 'Contact').id, [contactId]);
    values.set(prop(tasks, 'Priority').id, rng.pick(optionsOf(tasks, 'Priority')));
    values.set(prop(tasks, 'Status').id, rng.pick(optionsOf(tasks, 'Status')));
    store.createPage(tasks, values, author(), { at, editedAt: at, silent: true });
  }
}
