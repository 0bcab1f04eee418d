export { ApiKeyService } from './api-key-service.ts';
export type { ApiKeyInfo, ApiKeyServiceOptions, CreatedApiKey } from './api-key-service.ts';
export { AuditService, SYSTEM_ACTOR } from './audit-service.ts';
export type { ActionContext, AuditRecord } from './audit-service.ts';
export { TenantService } from './tenant-service.ts';
export type { TenantInput, TenantPatch } from './tenant-service.ts';
export { generateApiKey, hashApiKey, looksLikeApiKey } from './key-material.ts';
