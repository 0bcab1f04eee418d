import { TributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { Tenant } from '../../domain/tenancy.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Page, PageRequest, Store } from '../../ports/store.ts';
import type { ActionContext, AuditService } from './audit-service.ts';

export interface TenantInput {
  readonly name: string;
  readonly metadata?: Record<string, unknown>;
}

export interface TenantPatch {
  readonly name?: string;
  readonly metadata?: Record<string, unknown>;
}

/**
 * Tenants: create, read, rename. Every change is written together with its audit row
 * in one transaction. Access control is the caller's job (the API's tenant scope);
 * this service trusts the ids it is given.
 */
export class TenantService {
  readonly #store: Store;
  readonly #audit: AuditService;
  readonly #clock: Clock;

  constructor(store: Store, audit: AuditService, clock: Clock) {
    this.#store = store;
    this.#audit = audit;
    this.#clock = clock;
  }

  async create(context: ActionContext, input: TenantInput): Promise<Tenant> {
    const now = new Date(this.#clock.now()).toISOString();
    const tenant: Tenant = { id: newId('ten'), name: input.name, metadata: input.metadata ?? {}, createdAt: now, updatedAt: now };
    await this.#store.transaction(async (tx) => {
      await tx.tenants.insert(tenant);
      await tx.audit.append(this.#audit.entry(context, { action: 'tenant.create', tenantId: tenant.id, target: tenant.id, details: { name: tenant.name } }));
    });
    return tenant;
  }

  /** Throws NOT_FOUND when there is no such tenant. */
  async get(id: string): Promise<Tenant> {
    const tenant = await this.#store.tenants.get(id);
    if (tenant === null) throw notFound(id);
    return tenant;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.#store.tenants.get(id)) !== null;
  }

  list(page: PageRequest): Promise<Page<Tenant>> {
    return this.#store.tenants.list(page);
  }

  async update(context: ActionContext, id: string, patch: TenantPatch): Promise<Tenant> {
    const now = new Date(this.#clock.now()).toISOString();
    return this.#store.transaction(async (tx) => {
      const tenant = await tx.tenants.update(id, patch, now);
      if (tenant === null) throw notFound(id);
      await tx.audit.append(
        this.#audit.entry(context, { action: 'tenant.update', tenantId: id, target: id, details: { fields: Object.keys(patch).sort() } }),
      );
      return tenant;
    });
  }
}

function notFound(id: string): TributaryError {
  return new TributaryError('NOT_FOUND', `Tenant ${id} not found`);
}
