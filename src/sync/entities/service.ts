/**
 * The entity store as the API reads it: entities (filter by type, provider, updated
 * since; cursor pagination), one entity with its links and relationships, and the change
 * feed that the host product follows with `since` = the last seq it saw.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { Entity, EntityChange, EntityLink, Relationship } from '../../domain/entity.ts';
import type { EntityFilter, Page, Store } from '../../ports/store.ts';

export interface EntityDetail extends Entity {
  /** Links without their base snapshots' internals hidden: the sync state of each pair. */
  readonly links: EntityLink[];
  readonly relationships: { readonly outgoing: Relationship[]; readonly incoming: Relationship[] };
}

export interface ChangePage {
  readonly items: EntityChange[];
  /** Pass as `since` to read on; equal to `since` when nothing new. */
  readonly nextSince: number;
}

export class EntityService {
  readonly #store: Store;

  constructor(deps: { readonly store: Store }) {
    this.#store = deps.store;
  }

  list(tenantId: string, filter: EntityFilter): Promise<Page<Entity>> {
    return this.#store.entities.list(tenantId, filter);
  }

  async get(tenantId: string, id: string): Promise<EntityDetail> {
    const entity = await this.#store.entities.get(tenantId, id);
    if (entity === null) throw new TributaryError('NOT_FOUND', `Entity ${id} not found`, { field: 'params.entityId' });
    const [links, relationships] = await Promise.all([this.#store.entities.linksOf(tenantId, id), this.#store.entities.relationshipsOf(tenantId, id)]);
    return { ...entity, links, relationships };
  }

  /** The feed after `since`; only one entity's changes when `entityId` is given. */
  async changes(tenantId: string, since: number, limit = 100, entityId?: string): Promise<ChangePage> {
    const items = await this.#store.entities.changes(tenantId, since, limit, entityId);
    return { items, nextSince: items.length > 0 ? items[items.length - 1]!.seq : since };
  }
}
