/**
 * GitHub defaults: repositories, issues (pull requests included, told apart by their
 * `pull_request` key) and issue comments, in the REST API's shapes.
 *
 * Keys: repositories, issues and comments are keyed by their API `url`, because that is
 * how every child payload names its parent (`repository_url` on issues, `issue_url` on
 * comments), so relationships resolve from the real shapes with no help from the fetcher.
 * (A rename or transfer changes the URL: the next full sync sees a new record.) People
 * (users) are keyed by their numeric `id`, under the object `user`.
 */
import type { MappingDocument, TargetMapping } from '../../domain/mapping.ts';
import { field, readOnly, t } from './build.ts';

/** A GitHub user embedded at `prefix` (`user`, `owner`), as a person keyed by id. */
function userTarget(name: string, prefix: string, optional = true): TargetMapping {
  return {
    entityType: 'person',
    name,
    object: 'user',
    key: { source: `${prefix}[?type!="Organization"].id`, transforms: [t('first')] },
    optional,
    fields: [
      readOnly('handle', `${prefix}.login`),
      readOnly('avatarUrl', `${prefix}.avatar_url`),
      readOnly('url', `${prefix}.html_url`),
      readOnly('isBot', `${prefix}.type`, [t('equals', 'Bot')]),
    ],
  };
}

export const GITHUB_REPOSITORY: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'github', object: 'repository' },
  targets: [
    {
      entityType: 'repository',
      key: 'url',
      version: 'updated_at',
      fields: [
        readOnly('githubId', 'id'),
        readOnly('name', 'name'),
        readOnly('fullName', 'full_name'),
        field('description', 'description'),
        readOnly('url', 'html_url'),
        field('homepage', 'homepage', [t('nullify_empty')]),
        field('private', 'private'),
        readOnly('fork', 'fork'),
        field('archived', 'archived', [t('default', false)]),
        field('defaultBranch', 'default_branch'),
        readOnly('language', 'language'),
        readOnly('topics', 'topics'),
        readOnly('stars', 'stargazers_count'),
        readOnly('forks', 'forks_count'),
        readOnly('openIssues', 'open_issues_count'),
        readOnly('ownerLogin', 'owner.login'),
        readOnly('createdAt', 'created_at', [t('datetime')]),
        readOnly('updatedAt', 'updated_at', [t('datetime')]),
        readOnly('pushedAt', 'pushed_at', [t('datetime')]),
      ],
      relationships: [
        { kind: 'owned_by', toEntityType: 'person', toObject: 'user', via: 'owner[?type!="Organization"].id' },
        { kind: 'owned_by', toEntityType: 'organization', toObject: 'organization', via: 'owner[?type=="Organization"].id' },
      ],
    },
    userTarget('owner', 'owner'),
    {
      entityType: 'organization',
      name: 'owner_organization',
      object: 'organization',
      key: { source: 'owner[?type=="Organization"].id', transforms: [t('first')] },
      optional: true,
      fields: [readOnly('name', 'owner.login'), readOnly('handle', 'owner.login'), readOnly('avatarUrl', 'owner.avatar_url'), readOnly('url', 'owner.html_url')],
    },
  ],
};

export const GITHUB_ISSUE: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'github', object: 'issue' },
  targets: [
    {
      entityType: 'issue',
      key: 'url',
      version: 'updated_at',
      fields: [
        readOnly('githubId', 'id'),
        readOnly('number', 'number'),
        field('title', 'title', [], { required: true }),
        field('body', 'body'),
        readOnly('text', 'body', [t('markdown_to_text')]),
        field('state', 'state'),
        field('stateReason', 'state_reason'),
        readOnly('kind', 'pull_request', [t('exists'), t('map_values', { true: 'pull_request', false: 'issue' })]),
        readOnly('isPullRequest', 'pull_request', [t('exists')]),
        readOnly('merged', 'pull_request.merged_at', [t('exists')]),
        readOnly('url', 'html_url'),
        field('labels', 'labels', [t('pluck', 'name')]),
        readOnly('assignees', 'assignees[*].login'),
        readOnly('milestone', 'milestone.title'),
        readOnly('commentCount', 'comments'),
        field('locked', 'locked'),
        readOnly('authorLogin', 'user.login'),
        readOnly('createdAt', 'created_at', [t('datetime')]),
        readOnly('updatedAt', 'updated_at', [t('datetime')]),
        readOnly('closedAt', 'closed_at', [t('datetime')]),
      ],
      relationships: [
        { kind: 'in_repository', toEntityType: 'repository', toObject: 'repository', via: 'repository_url' },
        { kind: 'authored_by', toEntityType: 'person', toObject: 'user', via: 'user.id' },
        { kind: 'assigned_to', toEntityType: 'person', toObject: 'user', via: 'assignees[*].id' },
      ],
    },
    userTarget('author', 'user'),
    {
      entityType: 'person',
      name: 'assignee',
      object: 'user',
      each: 'assignees',
      key: 'id',
      optional: true,
      fields: [readOnly('handle', 'login'), readOnly('avatarUrl', 'avatar_url'), readOnly('url', 'html_url')],
    },
  ],
};

export const GITHUB_ISSUE_COMMENT: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'github', object: 'issue_comment' },
  targets: [
    {
      entityType: 'comment',
      key: 'url',
      version: 'updated_at',
      fields: [
        readOnly('githubId', 'id'),
        field('body', 'body', [], { required: true }),
        readOnly('text', 'body', [t('markdown_to_text')]),
        readOnly('url', 'html_url'),
        readOnly('authorLogin', 'user.login'),
        readOnly('authorAssociation', 'author_association'),
        readOnly('createdAt', 'created_at', [t('datetime')]),
        readOnly('updatedAt', 'updated_at', [t('datetime')]),
      ],
      relationships: [
        { kind: 'on_issue', toEntityType: 'issue', toObject: 'issue', via: 'issue_url' },
        { kind: 'authored_by', toEntityType: 'person', toObject: 'user', via: 'user.id' },
      ],
    },
    userTarget('author', 'user'),
  ],
};
