import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { FastifyInstance } from 'fastify';

/**
 * Serves an Azure Functions HTTP request with a Fastify app built by the runtime (the
 * API, the webhook intake), through `inject`: the same routes, plugins, error mapping
 * and raw body as the listening servers, so a WebhookReceiver function verifies
 * signatures over exactly the bytes the provider sent. Only the path and query are
 * kept from the URL: the app knows nothing of the Functions host name.
 */
export async function serveWithFastify(app: FastifyInstance, request: HttpRequest): Promise<HttpResponseInit> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const method = request.method.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(await request.arrayBuffer());
  const response = await app.inject({
    method: method as 'GET',
    url: `${url.pathname}${url.search}`,
    headers,
    ...(body === undefined ? {} : { payload: body }),
  });
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    // Hop-by-hop headers belong to the Functions host's own connection.
    if (value === undefined || name === 'connection' || name === 'transfer-encoding' || name === 'keep-alive') continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return { status: response.statusCode, headers: out, body: response.rawPayload };
}
