/**
 * Which repositories a principal may see: a user sees public repositories and those of
 * their own and their orgs; an installation sees its org's repositories (or the ones its
 * token was narrowed to). Anything else is a 404, as GitHub hides what you cannot read.
 */
import type { GithubPrincipal } from '../auth.ts';
import type { GhRepo, GhUser, GithubStore } from '../data.ts';
import { notAccessibleByIntegration, notFound, requiresAuthentication } from '../errors.ts';

export function canRead(store: GithubStore, principal: GithubPrincipal, repo: GhRepo): boolean {
  if (repo.deleted) return false;
  if (principal.kind === 'anonymous') return !repo.private;
  if (principal.kind === 'installation') {
    return repo.ownerType === 'Organization' && repo.ownerId === principal.installation.orgId && (principal.repoIds === null || principal.repoIds.includes(repo.id));
  }
  if (!repo.private) return true;
  return store.reposVisibleTo(principal.user.id).some((visible) => visible.id === repo.id);
}

export function canWrite(store: GithubStore, principal: GithubPrincipal, repo: GhRepo): boolean {
  if (principal.kind === 'anonymous') return false;
  if (principal.kind === 'installation') return canRead(store, principal, repo);
  return store.reposVisibleTo(principal.user.id).some((visible) => visible.id === repo.id);
}

/** The repository named in the path, or GitHub's 404. */
export function readableRepo(store: GithubStore, principal: GithubPrincipal, owner: string, name: string, docs?: string): GhRepo {
  const repo = store.repoByName(owner, name);
  if (!repo || !canRead(store, principal, repo)) throw notFound(docs);
  return repo;
}

export function writableRepo(store: GithubStore, principal: GithubPrincipal, owner: string, name: string, docs?: string): GhRepo {
  const repo = readableRepo(store, principal, owner, name, docs);
  if (!canWrite(store, principal, repo)) throw notFound(docs);
  return repo;
}

/** The user a write is made as: the token's user, or the app's bot for installations. */
export function actingUser(store: GithubStore, principal: GithubPrincipal): GhUser | undefined {
  if (principal.kind === 'user') return principal.user;
  if (principal.kind === 'anonymous') return undefined;
  return store.userByLogin('tributary-sandbox[bot]');
}

/** A user-only endpoint called with an installation token. */
export function requireUser(principal: GithubPrincipal, docs?: string): Extract<GithubPrincipal, { kind: 'user' }> {
  if (principal.kind === 'anonymous') throw requiresAuthentication();
  if (principal.kind !== 'user') throw notAccessibleByIntegration(docs);
  return principal;
}
