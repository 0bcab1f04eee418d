import type { NotionIds } from '../ids.ts';
import type {
  BlockRecord,
  DatabaseRecord,
  DataSourceRecord,
  NotionUser,
  PageRecord,
  PropertySchema,
  StoredValue,
} from './model.ts';

/** What happened to which record, for webhooks: Notion's event type names. */
export interface NotionChange {
  type:
    | 'page.created'
    | 'page.properties_updated'
    | 'page.content_updated'
    | 'page.deleted'
    | 'page.undeleted'
    | 'data_source.schema_updated'
    | 'database.schema_updated';
  entity: { id: string; type: 'page' | 'database' | 'data_source' | 'block' };
  authorId: string;
  at: number;
  /** Event-specific data (`parent`, `updated_properties`, `updated_blocks`). */
  data: Record<string, unknown>;
}

/**
 * The workspace's state: users, databases with their data sources, pages and blocks.
 * Every mutation moves `last_edited_time` and tells the listeners (webhooks). Reads
 * never mutate. Not thread-aware: Node runs one handler at a time.
 */
export class NotionStore {
  readonly users = new Map<string, NotionUser>();
  readonly databases = new Map<string, DatabaseRecord>();
  readonly dataSources = new Map<string, DataSourceRecord>();
  readonly pages = new Map<string, PageRecord>();
  readonly blocks = new Map<string, BlockRecord>();
  workspaceId = '';
  workspaceName = '';
  botUserId = '';
  private readonly listeners: ((change: NotionChange) => void)[] = [];
  private readonly byDataSource = new Map<string, PageRecord[]>();
  /** Grows with every mutation: query results cached under an older version are stale. */
  version = 0;

  constructor(
    public ids: NotionIds,
    private readonly now: () => number,
  ) {}

  /** Forgets every record (a reseed replaces the workspace); listeners stay. */
  reset(ids: NotionIds): void {
    this.ids = ids;
    this.users.clear();
    this.databases.clear();
    this.dataSources.clear();
    this.pages.clear();
    this.blocks.clear();
    this.byDataSource.clear();
    this.version++;
    this.workspaceId = '';
    this.workspaceName = '';
    this.botUserId = '';
  }

  onChange(listener: (change: NotionChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(change: NotionChange): void {
    this.version++;
    for (const listener of this.listeners) listener(change);
  }

  dataSourceByObject(objectName: string): DataSourceRecord | undefined {
    for (const ds of this.dataSources.values()) if (ds.objectName === objectName) return ds;
    return undefined;
  }

  /** Finds a property by name or id, as Notion accepts both in writes and filters. */
  propertyOf(ds: DataSourceRecord, nameOrId: string): PropertySchema | undefined {
    return ds.properties.find((p) => p.name === nameOrId) ?? ds.properties.find((p) => p.id === nameOrId || decodeURIComponent(p.id) === nameOrId);
  }

  /** The pages of a data source in creation order (trashed ones included). Do not mutate. */
  pagesOf(dataSourceId: string): readonly PageRecord[] {
    return this.byDataSource.get(dataSourceId) ?? [];
  }

  /**
   * Creates a page. `values` are already validated stored values by property id;
   * `at` lets the seeder place history in the past (defaults to now).
   */
  createPage(
    ds: DataSourceRecord,
    values: Map<string, StoredValue>,
    authorId: string,
    options: { at?: number; editedAt?: number; silent?: boolean } = {},
  ): PageRecord {
    const at = options.at ?? this.now();
    const page: PageRecord = {
      id: this.ids.uuid(),
      dataSourceId: ds.id,
      databaseId: ds.databaseId,
      createdAt: at,
      editedAt: options.editedAt ?? at,
      createdBy: authorId,
      editedBy: authorId,
      inTrash: false,
      uniqueNumber: ds.nextUniqueNumber++,
      values: new Map(),
      blockIds: [],
    };
    this.pages.set(page.id, page);
    const list = this.byDataSource.get(ds.id);
    if (list) list.push(page);
    else this.byDataSource.set(ds.id, [page]);
    this.version++;
    for (const [propertyId, value] of values) this.setValue(page, ds, propertyId, value, authorId, at);
    if (!options.silent) {
      this.emit({ type: 'page.created', entity: { id: page.id, type: 'page' }, authorId, at, data: { parent: this.parentRef(page) } });
    }
    return page;
  }

  /** Sets property values, moving last_edited_time; emits page.properties_updated. */
  updatePage(page: PageRecord, values: Map<string, StoredValue>, authorId: string): void {
    if (values.size === 0) return;
    const at = this.now();
    const ds = this.dataSources.get(page.dataSourceId);
    if (!ds) return;
    for (const [propertyId, value] of values) this.setValue(page, ds, propertyId, value, authorId, at);
    this.touch(page, authorId, at);
    this.emit({
      type: 'page.properties_updated',
      entity: { id: page.id, type: 'page' },
      authorId,
      at,
      data: { parent: this.parentRef(page), updated_properties: [...values.keys()] },
    });
  }

  /** Moves a page to or from the trash; emits page.deleted / page.undeleted. */
  setTrash(page: PageRecord, inTrash: boolean, authorId: string): void {
    if (page.inTrash === inTrash) return;
    const at = this.now();
    page.inTrash = inTrash;
    this.touch(page, authorId, at);
    this.emit({
      type: inTrash ? 'page.deleted' : 'page.undeleted',
      entity: { id: page.id, type: 'page' },
      authorId,
      at,
      data: { parent: this.parentRef(page) },
    });
  }

  /** Appends blocks to a page; emits page.content_updated. */
  appendBlocks(
    page: PageRecord,
    blocks: { type: string; content: Record<string, unknown> }[],
    authorId: string,
    options: { at?: number; silent?: boolean } = {},
  ): BlockRecord[] {
    const at = options.at ?? this.now();
    const created = blocks.map((b) => {
      const block: BlockRecord = {
        id: this.ids.uuid(),
        pageId: page.id,
        createdAt: at,
        editedAt: at,
        createdBy: authorId,
        editedBy: authorId,
        inTrash: false,
        type: b.type,
        content: b.content,
      };
      this.blocks.set(block.id, block);
      page.blockIds.push(block.id);
      return block;
    });
    if (!options.silent) {
      this.touch(page, authorId, at);
      this.emit({
        type: 'page.content_updated',
        entity: { id: page.id, type: 'page' },
        authorId,
        at,
        data: { parent: this.parentRef(page), updated_blocks: created.map((b) => ({ id: b.id, type: 'block' })) },
      });
    }
    return created;
  }

  /**
   * Adds a column to a data source, as a user editing the database would; emits
   * `data_source.schema_updated` (subscriptions on older API versions see it as
   * `database.schema_updated`).
   */
  addProperty(ds: DataSourceRecord, property: PropertySchema, authorId: string): void {
    const at = this.now();
    ds.properties.push(property);
    ds.editedAt = at;
    ds.editedBy = authorId;
    const db = this.databases.get(ds.databaseId);
    if (db) {
      db.editedAt = at;
      db.editedBy = authorId;
    }
    this.emit({
      type: 'data_source.schema_updated',
      entity: { id: ds.id, type: 'data_source' },
      authorId,
      at,
      data: { parent: { id: ds.databaseId, type: 'database' }, updated_properties: [{ id: property.id, name: property.name, action: 'created' }] },
    });
  }

  parentRef(page: PageRecord): { id: string; type: 'database' } {
    return { id: page.databaseId, type: 'database' };
  }

  private touch(page: PageRecord, authorId: string, at: number): void {
    this.version++;
    page.editedAt = Math.max(at, page.editedAt);
    page.editedBy = authorId;
  }

  /** Stores one value; a dual relation also updates the related pages' side. */
  private setValue(page: PageRecord, ds: DataSourceRecord, propertyId: string, value: StoredValue, authorId: string, at: number): void {
    const schema = ds.properties.find((p) => p.id === propertyId);
    if (schema?.type === 'relation' && Array.isArray(value)) {
      const dual = schema.config.dual_property as { synced_property_id: string } | undefined;
      const before = (page.values.get(propertyId) as string[] | undefined) ?? [];
      const after = value as string[];
      if (dual) {
        for (const removed of before.filter((id) => !after.includes(id))) this.linkBack(removed, dual.synced_property_id, page.id, false, authorId, at);
        for (const added of after.filter((id) => !before.includes(id))) this.linkBack(added, dual.synced_property_id, page.id, true, authorId, at);
      }
    }
    page.values.set(propertyId, value);
    this.version++;
  }

  private linkBack(targetId: string, propertyId: string, sourceId: string, add: boolean, authorId: string, at: number): void {
    const target = this.pages.get(targetId);
    if (!target) return;
    const current = (target.values.get(propertyId) as string[] | undefined) ?? [];
    const next = add ? (current.includes(sourceId) ? current : [...current, sourceId]) : current.filter((id) => id !== sourceId);
    target.values.set(propertyId, next);
    this.touch(target, authorId, at);
  }
}
