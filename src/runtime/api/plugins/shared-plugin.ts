import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/**
 * Marks a plugin as shared: its hooks and decorators apply to the context that
 * registers it instead of being encapsulated (what the `fastify-plugin` package does,
 * through the same documented `skip-override` symbol). Only true globals are shared:
 * authentication, tenant scope, errors (STYLE.md 12). Route groups stay encapsulated.
 */
export function sharedPlugin<Options extends FastifyPluginOptions>(
  name: string,
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
