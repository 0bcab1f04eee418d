import { randomUUID } from 'node:crypto';
import type { Integration, SyncPriority } from '../../../domain/integration.ts';
import type { DueIntegration, IntegrationPatch, IntegrationRepository, Page, PageRequest } from '../../../ports/store.ts';
import { resolvePage, toPage } from '../../rows/pagination.ts';
import { toJson, type PgContext, type PgRow } from '../sql.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { INTEGRATION_PATCH_COLUMNS as PATCH_COLUMNS, integrationFromRow, type IntegrationRow as SharedIntegrationRow } from '../../rows/integration-rows.ts';

type IntegrationRow = SharedIntegrationRow<PgColumnTypes> & PgRow;
const toIntegration = integrationFromRow(PG_COLUMNS);

const COLUMN_LIST = [
  'id', 'tenant_id', 'connection_id', 'object', 'direction', 'mapping', 'mapping_version', 'schedule', 'priority', 'dedup_rules',
  'conflict_strategy', 'field_ownership', 'enabled', 'cursor', 'cursor_updated_at', 'created_at', 'updated_at',
];
const COLUMNS = COLUMN_LIST.join(', ');
const INSERT = `INSERT INTO integrations (${COLUMNS}) VALUES (${COLUMN_LIST.map((_, i) => `$${i + 1}`).join(', ')})`;
const INSERT_TASK = `INSERT INTO sync_tasks (id, integration_id, tenant_id, connection_id, sync_mode, priority, status, next_scheduled, enabled, type, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, 'scheduled', $9, $10)`;
const GET = `SELECT ${COLUMNS} FROM integrations WHERE id = $1 AND tenant_id = $2`;
const DELETE = 'DELETE FROM integrations WHERE id = $1 AND tenant_id = $2';
const SET_CURSOR = 'UPDATE integrations SET cursor = $1, cursor_updated_at = $2 WHERE id = $3 AND tenant_id = $4';
const SET_NEXT = `UPDATE sync_tasks SET next_scheduled = $1, updated_at = $2 WHERE integration_id = $3 AND tenant_id = $4 AND type = 'scheduled'`;
const GET_NEXT = `SELECT next_scheduled FROM sync_tasks WHERE integration_id = $1 AND tenant_id = $2 AND type = 'scheduled'`;
// The partial index sync_tasks_due serves the range scan; integrations filter the disabled.
const DUE = `SELECT t.tenant_id, t.integration_id, t.priority, t.next_scheduled FROM sync_tasks t
  JOIN integrations i ON i.id = t.integration_id
  WHERE t.enabled AND t.next_scheduled IS NOT NULL AND t.next_scheduled <= $1 AND i.enabled AND i.direction <> 'push'
  ORDER BY CASE t.priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END, t.next_scheduled LIMIT $2`;

function patchValue(key: keyof IntegrationPatch, value: unknown): unknown {
  if (key === 'enabled' || key === 'direction' || key === 'priority' || key === 'mappingVersion') return value;
  return value === null ? null : toJson(value);
}

const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : toJson(value));

/** Integrations and their scheduled sync task (`sync_tasks`) in PostgreSQL. */
export class PgIntegrationRepository implements IntegrationRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  insert(i: Integration, nextScheduled: string | null): Promise<void> {
    return this.#sql.atomic(async (sql) => {
      await sql.query(INSERT, [
        i.id, i.tenantId, i.connectionId, i.object, i.direction, toJson(i.mapping), i.mappingVersion, jsonOrNull(i.schedule), i.priority,
        toJson(i.dedupRules), toJson(i.conflictStrategy), toJson(i.fieldOwnership), i.enabled, jsonOrNull(i.cursor), i.cursorUpdatedAt,
        i.createdAt, i.updatedAt,
      ]);
      await sql.query(INSERT_TASK, [
        `tsk_${randomUUID().replaceAll('-', '')}`, i.id, i.tenantId, i.connectionId, i.direction, i.priority, nextScheduled, i.enabled,
        i.createdAt, i.updatedAt,
      ]);
    });
  }

  async get(tenantId: string, id: string): Promise<Integration | null> {
    const { rows } = await this.#sql.query<IntegrationRow>(GET, [id, tenantId]);
    return rows[0] ? toIntegration(rows[0]) : null;
  }

  async list(tenantId: string, page: PageRequest & { connectionId?: string } = {}): Promise<Page<Integration>> {
    const { limit, after } = resolvePage(page);
    const params: unknown[] = [limit + 1, tenantId];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const where = ['tenant_id = $2'];
    if (page.connectionId !== undefined) where.push(`connection_id = ${bind(page.connectionId)}`);
    if (after) where.push(`(created_at, id) > (${bind(after[0])}, ${bind(after[1])})`);
    const { rows } = await this.#sql.query<IntegrationRow>(
      `SELECT ${COLUMNS} FROM integrations WHERE ${where.join(' AND ')} ORDER BY created_at, id LIMIT $1`,
      params,
    );
    return toPage(rows, limit, (row) => [row.created_at, row.id], toIntegration);
  }

  /** One statement: the integration's update and its task's copy of direction, priority and enabled. */
  async update(tenantId: string, id: string, patch: IntegrationPatch, updatedAt: string): Promise<Integration | null> {
    const params: unknown[] = [id, tenantId, updatedAt];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const keys = (Object.keys(PATCH_COLUMNS) as (keyof IntegrationPatch)[]).filter((key) => patch[key] !== undefined);
    const sets = keys.map((key) => `${PATCH_COLUMNS[key]} = ${bind(patchValue(key, patch[key]))}`);
    const { rows } = await this.#sql.query<IntegrationRow>(
      `WITH updated AS (
         UPDATE integrations SET ${[...sets, 'updated_at = $3'].join(', ')} WHERE id = $1 AND tenant_id = $2 RETURNING ${COLUMNS}
       ), task AS (
         UPDATE sync_tasks t SET sync_mode = u.direction, priority = u.priority, enabled = u.enabled, updated_at = $3
         FROM updated u WHERE t.integration_id = u.id AND t.tenant_id = u.tenant_id
       )
       SELECT ${COLUMNS} FROM updated`,
      params,
    );
    return rows[0] ? toIntegration(rows[0]) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.#sql.query(DELETE, [id, tenantId])).rowCount > 0;
  }

  async setCursor(tenantId: string, id: string, cursor: unknown, at: string): Promise<void> {
    await this.#sql.query(SET_CURSOR, [jsonOrNull(cursor), at, id, tenantId]);
  }

  async setNextScheduled(tenantId: string, id: string, nextScheduled: string | null, at: string): Promise<void> {
    await this.#sql.query(SET_NEXT, [nextScheduled, at, id, tenantId]);
  }

  async getNextScheduled(tenantId: string, id: string): Promise<string | null> {
    const { rows } = await this.#sql.query<{ next_scheduled: string | null }>(GET_NEXT, [id, tenantId]);
    return rows[0]?.next_scheduled ?? null;
  }

  async listDue(now: string, limit: number): Promise<DueIntegration[]> {
    const { rows } = await this.#sql.query<{ tenant_id: string; integration_id: string; priority: SyncPriority; next_scheduled: string }>(DUE, [now, limit]);
    return rows.map((r) => ({ tenantId: r.tenant_id, integrationId: r.integration_id, priority: r.priority, nextScheduled: r.next_scheduled }));
  }
}
