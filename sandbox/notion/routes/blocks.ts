import type { FastifyInstance } from '../../core/types.ts';
import { notFound, validation } from '../errors.ts';
import { requestAuth } from '../auth.ts';
import { bodyOf, type NotionDeps } from '../deps.ts';
import { normalizeId } from '../ids.ts';
import { LIMITS } from '../data/property-input.ts';
import { richText } from '../data/rich-text.ts';
import { blockJson } from '../data/serialize.ts';

const TEXT_BLOCKS = new Set(['paragraph', 'heading_1', 'heading_2', 'heading_3', 'bulleted_list_item', 'numbered_list_item', 'to_do', 'quote', 'callout', 'toggle']);

/** Validates appended children (text blocks; ≤ 100 per request, text ≤ 2000 chars). */
export function parseChildren(raw: unknown): { type: string; content: Record<string, unknown> }[] {
  if (!Array.isArray(raw)) throw validation('body failed validation: body.children should be an array.');
  if (raw.length > LIMITS.arrayItems) throw validation(`body failed validation: body.children.length should be ≤ \`100\`, instead was \`${raw.length}\`.`);
  return raw.map((item, i) => {
    const block = bodyOf(item);
    const type = typeof block.type === 'string' ? block.type : Object.keys(block).find((k) => TEXT_BLOCKS.has(k));
    if (!type || !TEXT_BLOCKS.has(type)) throw validation(`body failed validation: body.children[${i}].type should be a supported block type.`);
    const inner = bodyOf(block[type]);
    const texts = Array.isArray(inner.rich_text) ? inner.rich_text : [];
    const rich = texts.map((t, j) => {
      const text = bodyOf(bodyOf(t).text);
      const content = typeof text.content === 'string' ? text.content : '';
      if (content.length > LIMITS.textContent) {
        throw validation(`body failed validation: body.children[${i}].${type}.rich_text[${j}].text.content.length should be ≤ \`2000\`, instead was \`${content.length}\`.`);
      }
      return richText(content);
    });
    const content: Record<string, unknown> = { rich_text: rich, color: typeof inner.color === 'string' ? inner.color : 'default' };
    if (type === 'to_do') content.checked = inner.checked === true;
    return { type, content };
  });
}

/** `GET /v1/blocks/{id}`, `GET /v1/blocks/{id}/children` (paginated) and `PATCH /v1/blocks/{id}/children`. */
export function registerBlockRoutes(app: FastifyInstance, deps: NotionDeps): void {
  const { store, cursors } = deps;

  app.get('/v1/blocks/:id', async (request) => {
    const raw = (request.params as { id: string }).id;
    const id = normalizeId(raw) ?? raw;
    const block = store.blocks.get(id);
    if (block) return blockJson(block);
    const page = store.pages.get(id);
    if (!page) throw notFound('block', raw);
    return { object: 'block', id: page.id, type: 'child_page', has_children: page.blockIds.length > 0, in_trash: page.inTrash, archived: page.inTrash, child_page: { title: '' } };
  });

  app.get('/v1/blocks/:id/children', async (request) => {
    const raw = (request.params as { id: string }).id;
    const q = request.query as Record<string, string | undefined>;
    const id = normalizeId(raw) ?? raw;
    const page = store.pages.get(id);
    if (!page && !store.blocks.has(id)) throw notFound('block', raw);
    const children = (page?.blockIds ?? []).map((blockId, index) => ({ block: store.blocks.get(blockId), index })).filter((c) => c.block && !c.block.inTrash);
    const list = cursors.page(children, (c) => [c.index], [1], { startCursor: q.start_cursor, pageSize: q.page_size });
    return {
      object: 'list',
      results: list.results.map((c) => blockJson(c.block!)),
      next_cursor: list.next_cursor,
      has_more: list.has_more,
      type: 'block',
      block: {},
    };
  });

  app.patch('/v1/blocks/:id/children', async (request) => {
    const auth = requestAuth(request);
    const raw = (request.params as { id: string }).id;
    const page = store.pages.get(normalizeId(raw) ?? raw);
    if (!page) throw notFound('block', raw);
    if (page.inTrash) throw validation("Can't edit block that is archived. You must unarchive the block before editing.");
    const children = parseChildren(bodyOf(request.body).children);
    const botId = typeof auth.grant.extra.botId === 'string' ? auth.grant.extra.botId : store.botUserId;
    const created = store.appendBlocks(page, children, botId);
    return { object: 'list', results: created.map(blockJson), next_cursor: null, has_more: false, type: 'block', block: {} };
  });
}
