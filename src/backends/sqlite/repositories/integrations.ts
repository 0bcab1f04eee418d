import { randomUUID } from 'node:crypto';
import type { Integration, SyncPriority } from '../../../domain/integration.ts';
import type { DueIntegration, IntegrationPatch, IntegrationRepository, Page, PageRequest } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type SqlContext } from '../store-sql.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { INTEGRATION_PATCH_COLUMNS as PATCH_COLUMNS, integrationFromRow, type IntegrationRow as SharedIntegrationRow } from '../../rows/integration-rows.ts';

type IntegrationRow = SharedIntegrationRow<SqliteColumnTypes>;
const toIntegration = integrationFromRow(SQLITE_COLUMNS);

const COLUMNS = `id, tenant_id, connection_id, object, direction, mapping, mapping_version, schedule, priority, dedup_rules,
  conflict_strategy, field_ownership, enabled, cursor, cursor_updated_at, created_at, updated_at`;
const INSERT = `INSERT INTO integrations (${COLUMNS}) VALUES (@id, @tenantId, @connectionId, @object, @direction, @mapping,
  @mappingVersion, @schedule, @priority, @dedupRules, @conflictStrategy, @fieldOwnership, @enabled, @cursor, @cursorUpdatedAt, @createdAt, @updatedAt)`;
const INSERT_TASK = `INSERT INTO sync_tasks (id, integration_id, tenant_id, connection_id, sync_mode, priority, status, next_scheduled, enabled, type, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, 'scheduled', ?, ?)`;
const GET = `SELECT ${COLUMNS} FROM integrations WHERE id = ? AND tenant_id = ?`;
const DELETE = 'DELETE FROM integrations WHERE id = ? AND tenant_id = ?';
const SET_CURSOR = 'UPDATE integrations SET cursor = ?, cursor_updated_at = ? WHERE id = ? AND tenant_id = ?';
const SET_NEXT = `UPDATE sync_tasks SET next_scheduled = ?, updated_at = ? WHERE integration_id = ? AND tenant_id = ? AND type = 'scheduled'`;
const GET_NEXT = `SELECT next_scheduled FROM sync_tasks WHERE integration_id = ? AND tenant_id = ? AND type = 'scheduled'`;
const SYNC_TASK = `UPDATE sync_tasks SET sync_mode = ?, priority = ?, enabled = ?, updated_at = ? WHERE integration_id = ? AND tenant_id = ?`;
// The partial index sync_tasks_due serves the range scan; integrations filter the disabled.
const DUE = `SELECT t.tenant_id, t.integration_id, t.priority, t.next_scheduled FROM sync_tasks t
  JOIN integrations i ON i.id = t.integration_id
  WHERE t.enabled = 1 AND t.next_scheduled IS NOT NULL AND t.next_scheduled <= ? AND i.enabled = 1 AND i.direction != 'push'
  ORDER BY CASE t.priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END, t.next_scheduled LIMIT ?`;

function patchValue(key: keyof IntegrationPatch, value: unknown): unknown {
  if (key === 'enabled') return value ? 1 : 0;
  if (key === 'direction' || key === 'priority' || key === 'mappingVersion') return value;
  return value === null ? null : toJson(value);
}

/** Integrations and their scheduled sync task in SQLite. */
export class SqliteIntegrationRepository implements IntegrationRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  insert(integration: Integration, nextScheduled: string | null): Promise<void> {
    return this.#sql.run(() => {
      const s = this.#sql.statements;
      s.get('SAVEPOINT integration_insert').run();
      try {
        s.get(INSERT).run({
          ...integration,
          mapping: toJson(integration.mapping),
          schedule: integration.schedule === null ? null : toJson(integration.schedule),
          dedupRules: toJson(integration.dedupRules),
          conflictStrategy: toJson(integration.conflictStrategy),
          fieldOwnership: toJson(integration.fieldOwnership),
          enabled: integration.enabled ? 1 : 0,
          cursor: integration.cursor === null || integration.cursor === undefined ? null : toJson(integration.cursor),
        });
        s.get(INSERT_TASK).run(
          `tsk_${randomUUID().replaceAll('-', '')}`, integration.id, integration.tenantId, integration.connectionId, integration.direction,
          integration.priority, nextScheduled, integration.enabled ? 1 : 0, integration.createdAt, integration.updatedAt,
        );
        s.get('RELEASE integration_insert').run();
      } catch (error) {
        s.get('ROLLBACK TO integration_insert').run();
        s.get('RELEASE integration_insert').run();
        throw error;
      }
    });
  }

  get(tenantId: string, id: string): Promise<Integration | null> {
    return this.#sql.run(() => {
      const row = this.#sql.statements.get<IntegrationRow>(GET).get(id, tenantId);
      return row ? toIntegration(row) : null;
    });
  }

  list(tenantId: string, page: PageRequest & { connectionId?: string } = {}): Promise<Page<Integration>> {
    return this.#sql.run(() => {
      const { limit, after } = resolvePage(page);
      const where = ['tenant_id = @tenantId'];
      const params: Record<string, unknown> = { tenantId, limit: limit + 1 };
      if (page.connectionId !== undefined) {
        where.push('connection_id = @connectionId');
        params.connectionId = page.connectionId;
      }
      if (after) {
        where.push('(created_at, id) > (@afterAt, @afterId)');
        [params.afterAt, params.afterId] = after;
      }
      const rows = this.#sql.statements
        .get<IntegrationRow>(`SELECT ${COLUMNS} FROM integrations WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT @limit`)
        .all(params);
      return toPage(rows, limit, (row) => [row.created_at, row.id], toIntegration);
    });
  }

  update(tenantId: string, id: string, patch: IntegrationPatch, updatedAt: string): Promise<Integration | null> {
    return this.#sql.run(() => {
      const s = this.#sql.statements;
      const keys = (Object.keys(PATCH_COLUMNS) as (keyof IntegrationPatch)[]).filter((key) => patch[key] !== undefined);
      const sets = keys.map((key) => `${PATCH_COLUMNS[key]} = @${key}`);
      const params: Record<string, unknown> = { id, tenantId, updatedAt };
      for (const key of keys) params[key] = patchValue(key, patch[key]);
      const changed = s.get(`UPDATE integrations SET ${[...sets, 'updated_at = @updatedAt'].join(', ')} WHERE id = @id AND tenant_id = @tenantId`).run(params).changes;
      if (changed === 0) return null;
      const row = s.get<IntegrationRow>(GET).get(id, tenantId);
      if (!row) return null;
      s.get(SYNC_TASK).run(row.direction, row.priority, row.enabled, updatedAt, id, tenantId);
      return toIntegration(row);
    });
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return this.#sql.run(() => this.#sql.statements.get(DELETE).run(id, tenantId).changes > 0);
  }

  setCursor(tenantId: string, id: string, cursor: unknown, at: string): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(SET_CURSOR).run(cursor === null || cursor === undefined ? null : toJson(cursor), at, id, tenantId);
    });
  }

  setNextScheduled(tenantId: string, id: string, nextScheduled: string | null, at: string): Promise<void> {
    return this.#sql.run(() => {
      this.#sql.statements.get(SET_NEXT).run(nextScheduled, at, id, tenantId);
    });
  }

  getNextScheduled(tenantId: string, id: string): Promise<string | null> {
    return this.#sql.run(() => this.#sql.statements.get<{ next_scheduled: string | null }>(GET_NEXT).get(id, tenantId)?.next_scheduled ?? null);
  }

  listDue(now: string, limit: number): Promise<DueIntegration[]> {
    return this.#sql.run(() =>
      this.#sql.statements
        .get<{ tenant_id: string; integration_id: string; priority: SyncPriority; next_scheduled: string }>(DUE)
        .all(now, limit)
        .map((r) => ({ tenantId: r.tenant_id, integrationId: r.integration_id, priority: r.priority, nextScheduled: r.next_scheduled })),
    );
  }
}
