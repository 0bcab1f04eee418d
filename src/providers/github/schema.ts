/**
 * GitHub's object schemas. They are fixed by the REST API (no custom fields), so
 * `discover` answers them without a call. Only the fields a mapping typically uses are
 * listed; records carry GitHub's whole JSON.
 */
import type { FieldSchema, ObjectSchema } from '../provider.ts';
import { issueCommentsObject } from './objects/issue-comments.ts';
import { issuesObject } from './objects/issues.ts';
import { repositoriesObject } from './objects/repositories.ts';

const f = (name: string, type: FieldSchema['type'], extra: Partial<FieldSchema> = {}): FieldSchema => ({ name, type, ...extra });
const ro = (name: string, type: FieldSchema['type'], extra: Partial<FieldSchema> = {}): FieldSchema => f(name, type, { readOnly: true, ...extra });

const REPOSITORY_FIELDS: FieldSchema[] = [
  ro('id', 'integer'),
  ro('node_id', 'string'),
  ro('full_name', 'string', { label: 'Full name' }),
  f('name', 'string', { required: true }),
  ro('owner.login', 'string', { label: 'Owner' }),
  f('description', 'string'),
  f('private', 'boolean'),
  ro('html_url', 'url'),
  f('homepage', 'url'),
  ro('language', 'string'),
  f('default_branch', 'string'),
  f('archived', 'boolean'),
  ro('open_issues_count', 'integer'),
  ro('created_at', 'datetime'),
  ro('updated_at', 'datetime'),
  ro('pushed_at', 'datetime'),
];

const ISSUE_FIELDS: FieldSchema[] = [
  ro('id', 'integer'),
  ro('node_id', 'string'),
  ro('number', 'integer'),
  f('title', 'string', { required: true }),
  f('body', 'string'),
  f('state', 'enum', { enumValues: ['open', 'closed'] }),
  f('state_reason', 'enum', { enumValues: ['completed', 'not_planned', 'reopened'] }),
  ro('user.login', 'string', { label: 'Author' }),
  f('labels', 'array'),
  f('assignees', 'array'),
  f('milestone', 'json'),
  ro('comments', 'integer'),
  ro('pull_request', 'json', { label: 'Pull request (present only on pull requests)' }),
  ro('html_url', 'url'),
  ro('repository_url', 'url'),
  ro('created_at', 'datetime'),
  ro('updated_at', 'datetime'),
  ro('closed_at', 'datetime'),
];

const COMMENT_FIELDS: FieldSchema[] = [
  ro('id', 'integer'),
  ro('node_id', 'string'),
  f('body', 'string', { required: true }),
  ro('user.login', 'string', { label: 'Author' }),
  ro('issue_url', 'url', { references: 'issues' }),
  ro('html_url', 'url'),
  ro('author_association', 'string'),
  ro('created_at', 'datetime'),
  ro('updated_at', 'datetime'),
];

export const GITHUB_SCHEMAS: ObjectSchema[] = [
  { name: repositoriesObject.name, label: repositoriesObject.label, fields: REPOSITORY_FIELDS, capabilities: repositoriesObject.capabilities },
  { name: issuesObject.name, label: issuesObject.label, fields: ISSUE_FIELDS, capabilities: issuesObject.capabilities },
  { name: issueCommentsObject.name, label: issueCommentsObject.label, fields: COMMENT_FIELDS, capabilities: issueCommentsObject.capabilities },
];
