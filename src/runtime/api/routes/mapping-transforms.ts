import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listTransforms } from '../../../mapping/index.ts';
import { errorResponses } from '../schemas.ts';

const Argument = Type.Object({
  name: Type.String(),
  type: Type.String({ description: '`string`, `number`, `integer`, `boolean`, `object`, `array`, `any`, `timezone`, `region`, `regex`, `currency`, `path`.' }),
  required: Type.Boolean(),
  description: Type.String(),
  oneOf: Type.Optional(Type.Array(Type.String(), { description: 'The only values allowed.' })),
});

const Transform = Type.Object({
  name: Type.String({ description: 'As written in a mapping: `{ "name": "<name>", "args": [...] }`.' }),
  description: Type.String(),
  input: Type.String({ description: 'The value type taken (`any` matches everything).' }),
  output: Type.String(),
  args: Type.Array(Argument, { description: 'Positional, in this order.' }),
  minArgs: Type.Integer(),
  maxArgs: Type.Integer(),
  invertible: Type.Boolean({ description: 'Whether a push can write the value back through it (with some arguments only when `inverse` is `conditional`).' }),
  inverse: Type.Union([Type.Literal('exact'), Type.Literal('normalizing'), Type.Literal('conditional'), Type.Null()]),
  multiSource: Type.Boolean({ description: 'Takes the array of a field\'s `sources`.' }),
});

/** `GET /mapping/transforms`: the built-in transforms a mapping may use. The same for every tenant, so outside the tenant scope. */
export const mappingTransformRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/mapping/transforms', {
    schema: { tags: ['mapping'], summary: 'The transforms a mapping may use, with their arguments and whether they can be inverted.', response: { 200: Type.Object({ items: Type.Array(Transform) }), ...errorResponses } },
  }, async () => ({
    items: listTransforms().map((transform) => ({
      name: transform.name,
      description: transform.doc,
      input: transform.input,
      output: transform.output,
      args: transform.args.map((arg) => ({ name: arg.name, type: arg.type, required: arg.required, description: arg.doc, ...(arg.oneOf ? { oneOf: [...arg.oneOf] } : {}) })),
      minArgs: transform.minArgs,
      maxArgs: transform.maxArgs,
      invertible: transform.inverse !== null,
      inverse: transform.inverse,
      multiSource: transform.multiSource,
    })),
  }));
};
