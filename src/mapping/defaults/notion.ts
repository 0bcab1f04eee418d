/**
 * Notion default: any database page (a `page` object from a database or data source
 * query). Database schemas differ, so the mapping is generic: the title property is found
 * by its type, and every property is mapped by its type into `properties` (text for
 * title/rich_text, option names for select/status/multi_select, the start of dates, ids
 * for people and relations, URLs for files, computed values for formulas and rollups).
 * A database-specific mapping can name properties (`properties.Status` with
 * `notion_property("status")`) and then push them back.
 *
 * Two more defaults follow Notion's own templates for the common databases, naming their
 * properties (so they push back): `contact` (a people database: Name, Email, Phone,
 * Company, Job title) -> person, and `task` (a task list: Task, Status, Due, Assignee,
 * Priority, Done) -> issue. Missing properties simply give no field.
 */
import type { MappingDocument, TargetMapping } from '../../domain/mapping.ts';
import { field, readOnly, t } from './build.ts';

export const NOTION_PAGE: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'notion', object: 'page' },
  targets: [
    {
      entityType: 'document',
      key: 'id',
      version: 'last_edited_time',
      tombstone: { source: 'in_trash' },
      fields: [
        readOnly('title', 'properties.*[?type=="title"].title', [t('first'), t('notion_rich_text')]),
        readOnly('properties', 'properties', [t('notion_properties')]),
        readOnly('url', 'url'),
        readOnly('icon', 'icon.emoji'),
        readOnly('databaseId', ['parent.database_id', 'parent.data_source_id'], [t('coalesce')]),
        readOnly('archived', ['in_trash', 'archived'], [t('coalesce'), t('default', false)]),
        readOnly('createdAt', 'created_time', [t('datetime')]),
        readOnly('updatedAt', 'last_edited_time', [t('datetime')]),
        readOnly('createdBy', 'created_by.id'),
        // The first property of each well-known type, as the entity field it suits.
        readOnly('email', 'properties.*[?type=="email"].email', [t('first'), t('email')]),
        readOnly('phone', 'properties.*[?type=="phone_number"].phone_number', [t('first'), t('phone_e164')]),
        readOnly('status', ['properties.*[?type=="status"].status.name', 'properties.*[?type=="select"].select.name'], [t('coalesce'), t('first')]),
        readOnly('tags', 'properties.*[?type=="multi_select"].multi_select[*].name', [t('unique')]),
        readOnly('date', 'properties.*[?type=="date"].date.start', [t('first')]),
        readOnly('link', 'properties.*[?type=="url"].url', [t('first')]),
      ],
      relationships: [{ kind: 'assigned_to', toEntityType: 'person', toObject: 'user', via: 'properties.*[?type=="people"].people[*].id' }],
    },
    notionUsers('person'),
  ],
};

/** People named in people properties (Notion users: id, name, and email when shared). */
function notionUsers(name: string): TargetMapping {
  return {
    entityType: 'person',
    name,
    object: 'user',
    each: 'properties.*[?type=="people"].people[?object=="user"]',
    key: 'id',
    optional: true,
    fields: [readOnly('name', 'name'), readOnly('email', 'person.email', [t('email')]), readOnly('avatarUrl', 'avatar_url'), readOnly('isBot', 'type', [t('equals', 'bot')])],
  };
}

/** A named property read by its type (and written back as that type). */
const prop = (type: string) => t('notion_property', type);
const pageMeta = [
  readOnly('url', 'url'),
  readOnly('createdAt', 'created_time', [t('datetime')]),
  readOnly('updatedAt', 'last_edited_time', [t('datetime')]),
  readOnly('properties', 'properties', [t('notion_properties')]),
];

export const NOTION_CONTACT: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'notion', object: 'contact' },
  targets: [
    {
      entityType: 'person',
      key: 'id',
      version: 'last_edited_time',
      tombstone: { source: 'in_trash' },
      fields: [
        field('name', 'properties.Name', [prop('title'), t('nullify_empty')]),
        readOnly('givenName', 'properties.Name', [prop('title'), t('given_name')]),
        readOnly('familyName', 'properties.Name', [prop('title'), t('family_name')]),
        field('email', 'properties.Email', [prop('email'), t('email')]),
        field('phone', 'properties.Phone', [prop('phone_number'), t('phone_e164')]),
        field('organizationName', 'properties.Company', [prop('rich_text'), t('nullify_empty')]),
        field('title', 'properties.Job title', [prop('rich_text'), t('nullify_empty')]),
        field('website', 'properties.Website', [prop('url')]),
        field('stage', 'properties.Stage', [prop('select')]),
        field('tags', 'properties.Tags', [prop('multi_select')]),
        ...pageMeta,
      ],
      relationships: [
        { kind: 'owned_by', toEntityType: 'person', toObject: 'user', via: 'properties.*[?type=="people"].people[*].id' },
        { kind: 'has_task', toEntityType: 'issue', toObject: 'task', via: 'properties.Tasks.relation[*].id' },
      ],
    },
    notionUsers('owner'),
  ],
};

export const NOTION_TASK: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'notion', object: 'task' },
  targets: [
    {
      entityType: 'issue',
      key: 'id',
      version: 'last_edited_time',
      tombstone: { source: 'in_trash' },
      fields: [
        field('title', 'properties.Task', [prop('title')]),
        field('status', 'properties.Status', [prop('status')]),
        field('done', 'properties.Done', [prop('checkbox')]),
        field('dueDate', 'properties.Due', [prop('date')]),
        field('priority', 'properties.Priority', [prop('select')]),
        readOnly('kind', 'id', [t('constant', 'task')]),
        ...pageMeta,
      ],
      relationships: [
        { kind: 'assigned_to', toEntityType: 'person', toObject: 'user', via: 'properties.Assignee.people[*].id' },
        { kind: 'about', toEntityType: 'person', toObject: 'contact', via: 'properties.Contact.relation[*].id' },
      ],
    },
    notionUsers('assignee'),
  ],
};
