import { metrics } from '@taskize/observability';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const OPERATIONS: Record<string, Record<string, string>> = {
  collection: { GET: 'list', POST: 'create' },
  item: { GET: 'get', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' },
};

/** `scim_operations_total` labels from the route template: tenant-independent by construction. */
export function scimOperationLabels(method: string, route: string | undefined): { resource: string; operation: string } | undefined {
  const m = /^\/scim\/v2\/(Users|Groups)(\/:id)?$/.exec(route ?? '');
  if (m) return { resource: m[1] === 'Users' ? 'User' : 'Group', operation: OPERATIONS[m[2] ? 'item' : 'collection']?.[method] ?? 'other' };
  if ((route ?? '').startsWith('/scim/v2/')) return { resource: 'discovery', operation: method === 'GET' ? 'get' : 'other' };
  return undefined;
}

const SCIM_TYPE = /"scimType"\s*:\s*"([A-Za-z]{1,32})"/;

/** Counts every SCIM answer by resource, operation, status and — for errors — the RFC 7644 §3.12 scimType. */
export function installScimMetrics(fastify: FastifyInstance): void {
  const scimTypes = new WeakMap<FastifyRequest, string>();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && typeof payload === 'string') {
      const t = SCIM_TYPE.exec(payload)?.[1];
      if (t) scimTypes.set(request, t);
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = scimOperationLabels(request.method, request.routeOptions.url);
    if (labels) metrics.scimOperations().inc({ ...labels, status: String(reply.statusCode), scim_type: scimTypes.get(request) ?? '' });
    done();
  });
}
