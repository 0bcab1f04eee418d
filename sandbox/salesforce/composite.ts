import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SalesforceData } from './data.ts';
import { SfApiError, sfError } from './errors.ts';
import { OBJECTS, objectDef } from './schema.ts';

const MAX_RECORDS = 200;

type Result = { id: string | null; success: boolean; errors: { statusCode: string; message: string; fields: string[] }[] };

const ok = (id: string): Result => ({ id, success: true, errors: [] });
const failed = (error: unknown): Result => {
  if (error instanceof SfApiError) {
    return { id: null, success: false, errors: error.errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] })) };
  }
  return { id: null, success: false, errors: [{ statusCode: 'UNKNOWN_EXCEPTION', message: String((error as Error)?.message ?? error), fields: [] }] };
};
const rolledBack = (id: string | null): Result => ({
  id,
  success: false,
  errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }],
});

/**
 * sObject Collections (`/composite/sobjects`): create, update and delete up to 200
 * records in one call (one API request against the daily limit). Results are per record,
 * in order; with `allOrNone` every record is validated first and nothing is written when
 * one fails (the others answer ALL_OR_NONE_OPERATION_ROLLED_BACK).
 */
export function registerComposite(api: FastifyInstance, data: SalesforceData): void {
  const recordsOf = (request: FastifyRequest) => {
    const body = request.body as { allOrNone?: unknown; records?: unknown } | undefined;
    if (!body || !Array.isArray(body.records)) throw sfError(400, 'JSON_PARSER_ERROR', 'records is required');
    if (body.records.length > MAX_RECORDS) throw sfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
    return { allOrNone: body.allOrNone === true, records: body.records as Record<string, unknown>[] };
  };
  const typeOf = (r: Record<string, unknown>): string => {
    const type = (r.attributes as { type?: unknown } | undefined)?.type;
    const def = typeof type === 'string' ? objectDef(type) : undefined;
    if (!def) throw sfError(400, 'INVALID_TYPE', `sObject type '${String(type)}' is not supported.`);
    return def.name;
  };
  const fieldsOf = (r: Record<string, unknown>, withoutId: boolean) => {
    const { attributes: _a, ...rest } = r;
    if (withoutId) delete rest.Id;
    return rest;
  };

  api.post('/composite/sobjects', async (request) => {
    const { allOrNone, records } = recordsOf(request);
    if (allOrNone) {
      const checks = records.map((r) => {
        try {
          const def = objectDef(typeOf(r));
          if (def) data.validate(def, fieldsOf(r, false), 'create');
          return null;
        } catch (error) {
          return failed(error);
        }
      });
      if (checks.some((c) => c !== null)) return checks.map((c) => c ?? rolledBack(null));
    }
    return records.map((r) => {
      try {
        return ok(data.create(typeOf(r), fieldsOf(r, false)).id);
      } catch (error) {
        return failed(error);
      }
    });
  });

  api.patch('/composite/sobjects', async (request) => {
    const { allOrNone, records } = recordsOf(request);
    const apply = (r: Record<string, unknown>) => data.update(typeOf(r), String(r.Id ?? ''), fieldsOf(r, true)).id;
    if (allOrNone) {
      const checks = records.map((r) => {
        try {
          const def = objectDef(typeOf(r));
          if (!def) return null;
          const record = data.find(def, String(r.Id ?? ''));
          if (record.deletedAt !== null) throw sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
          data.validate(def, fieldsOf(r, true), 'update');
          return null;
        } catch (error) {
          return { ...failed(error), id: typeof r.Id === 'string' ? r.Id : null };
        }
      });
      if (checks.some((c) => c !== null)) return checks.map((c, i) => c ?? rolledBack(String(records[i]?.Id)));
    }
    return records.map((r) => {
      try {
        return ok(apply(r));
      } catch (error) {
        return { ...failed(error), id: typeof r.Id === 'string' ? r.Id : null };
      }
    });
  });

  api.delete('/composite/sobjects', async (request) => {
    const q = request.query as { ids?: string; allOrNone?: string };
    const ids = (q.ids ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if (ids.length === 0) throw sfError(400, 'MISSING_ARGUMENT', 'ids not specified');
    if (ids.length > MAX_RECORDS) throw sfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
    const typeOfId = (id: string) => {
      const def = Object.values(OBJECTS).find((d) => id.startsWith(d.keyPrefix));
      if (!def) throw sfError(400, 'MALFORMED_ID', `malformed id ${id}`);
      return def;
    };
    if (q.allOrNone === 'true') {
      const checks = ids.map((id) => {
        try {
          const record = data.find(typeOfId(id), id);
          if (record.deletedAt !== null) throw sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
          return null;
        } catch (error) {
          return { ...failed(error), id };
        }
      });
      if (checks.some((c) => c !== null)) return checks.map((c, i) => c ?? rolledBack(ids[i] ?? null));
    }
    return ids.map((id) => {
      try {
        return ok(data.remove(typeOfId(id).name, id).id);
      } catch (error) {
        return { ...failed(error), id };
      }
    });
  });
}
