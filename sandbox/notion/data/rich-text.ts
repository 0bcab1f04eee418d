import type { RichText } from './model.ts';

/** A plain `text` rich-text item, with Notion's default annotations. */
export function richText(content: string, link: string | null = null): RichText {
  return {
    type: 'text',
    text: { content, link: link === null ? null : { url: link } },
    annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
    plain_text: content,
    href: link,
  };
}

/** The concatenated plain text of a rich-text array. */
export function plainText(items: readonly RichText[]): string {
  return items.map((item) => item.plain_text).join('');
}
