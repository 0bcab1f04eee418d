import type { NotionIds } from '../ids.ts';
import type { PropertySchema, PropertyType, SelectOption } from './model.ts';

const COLORS = ['default', 'gray', 'brown', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'red'];

function options(ids: NotionIds, names: string[]): SelectOption[] {
  return names.map((name, i) => ({ id: ids.propertyId(), name, color: COLORS[(i + 3) % COLORS.length] ?? 'default', description: null }));
}

function prop(ids: NotionIds, name: string, type: PropertyType, config: Record<string, unknown> = {}): PropertySchema {
  return { id: type === 'title' ? 'title' : ids.propertyId(), name, type, config };
}

function statusConfig(ids: NotionIds): Record<string, unknown> {
  const opts = options(ids, ['Not started', 'In progress', 'Done']);
  const [todo, doing, done] = opts;
  return {
    options: opts,
    groups: [
      { id: ids.propertyId(), name: 'To-do', color: 'gray', option_ids: [todo?.id] },
      { id: ids.propertyId(), name: 'In progress', color: 'blue', option_ids: [doing?.id] },
      { id: ids.propertyId(), name: 'Complete', color: 'green', option_ids: [done?.id] },
    ],
  };
}

export interface WorkspaceSchemas {
  contacts: PropertySchema[];
  tasks: PropertySchema[];
}

/**
 * The "Contacts" data source (every property type Notion has, so that an adapter meets
 * each value shape) and the "Tasks" data source related to it both ways.
 */
export function buildSchemas(
  ids: NotionIds,
  refs: { contactsDb: string; contactsDs: string; tasksDb: string; tasksDs: string },
): WorkspaceSchemas {
  const contactsTasks = prop(ids, 'Tasks', 'relation');
  const tasksContact = prop(ids, 'Contact', 'relation');
  contactsTasks.config = {
    database_id: refs.tasksDb,
    data_source_id: refs.tasksDs,
    type: 'dual_property',
    dual_property: { synced_property_name: tasksContact.name, synced_property_id: tasksContact.id },
  };
  tasksContact.config = {
    database_id: refs.contactsDb,
    data_source_id: refs.contactsDs,
    type: 'dual_property',
    dual_property: { synced_property_name: contactsTasks.name, synced_property_id: contactsTasks.id },
  };
  const contactsName = prop(ids, 'Name', 'title');
  const contacts: PropertySchema[] = [
    contactsName,
    prop(ids, 'Email', 'email'),
    prop(ids, 'Phone', 'phone_number'),
    prop(ids, 'Company', 'rich_text'),
    prop(ids, 'Job title', 'rich_text'),
    prop(ids, 'Score', 'number', { format: 'number' }),
    prop(ids, 'Stage', 'select', { options: options(ids, ['Lead', 'Prospect', 'Customer', 'Churned']) }),
    prop(ids, 'Tags', 'multi_select', { options: options(ids, ['VIP', 'Newsletter', 'Partner', 'Investor', 'Press']) }),
    prop(ids, 'Status', 'status', statusConfig(ids)),
    prop(ids, 'Last contacted', 'date'),
    prop(ids, 'Owner', 'people'),
    prop(ids, 'Attachments', 'files'),
    prop(ids, 'Subscribed', 'checkbox'),
    prop(ids, 'Website', 'url'),
    prop(ids, 'Display name', 'formula', { expression: '{{notion:block_property:title}} + " (" + {{Company}} + ")"' }),
    contactsTasks,
    prop(ids, 'Open tasks', 'rollup', {
      rollup_property_name: 'Task',
      relation_property_name: contactsTasks.name,
      rollup_property_id: 'title',
      relation_property_id: contactsTasks.id,
      function: 'count',
    }),
    prop(ids, 'Created', 'created_time'),
    prop(ids, 'Created by', 'created_by'),
    prop(ids, 'Last edited', 'last_edited_time'),
    prop(ids, 'Last edited by', 'last_edited_by'),
    prop(ids, 'ID', 'unique_id', { prefix: 'CON' }),
  ];
  const tasks: PropertySchema[] = [
    prop(ids, 'Task', 'title'),
    prop(ids, 'Done', 'checkbox'),
    prop(ids, 'Due', 'date'),
    prop(ids, 'Assignee', 'people'),
    tasksContact,
    prop(ids, 'Priority', 'select', { options: options(ids, ['High', 'Medium', 'Low']) }),
    prop(ids, 'Status', 'status', statusConfig(ids)),
    prop(ids, 'Created', 'created_time'),
    prop(ids, 'Last edited', 'last_edited_time'),
    prop(ids, 'ID', 'unique_id', { prefix: 'TSK' }),
  ];
  return { contacts, tasks };
}
