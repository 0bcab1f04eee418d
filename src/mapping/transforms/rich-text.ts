/** Markup to plain text: HTML, Markdown and Slack mrkdwn, each with an escaping inverse. */
import type { TransformDef } from './types.ts';
import { expectString } from './types.ts';

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', bull: '•', euro: '€', pound: '£', yen: '¥', cent: '¢', deg: '°', times: '×',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? m;
  });
}

const BLOCK = /<\/?(p|div|h[1-6]|ul|ol|tr|table|blockquote|pre|section|article|header|footer)\b[^>]*>/gi;

/** Tags removed, block elements and <br> as line breaks, entities decoded, whitespace tidied. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n')
    .replace(/<\/li\s*>/gi, '')
    .replace(BLOCK, '\n')
    .replace(/<[^>]+>/g, '');
  return tidy(decodeEntities(text));
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '<br>');
}

/** Markdown syntax removed, the words kept: links keep their text, images their alt text. */
export function markdownToText(md: string): string {
  const text = md
    .replace(/```[^\n]*\n([\s\S]*?)```/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/^\s*[-*+]\s+\[[ xX]\]\s+/gm, '')
    .replace(/^\s*[-*+]\s+/gm, '')
    .replace(/^\s*(\*\s*){3,}$|^\s*(-\s*){3,}$/gm, '')
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(\*|_)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, '$1');
  return tidy(text);
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-!>~|])/g, '\\$1');
}

/**
 * Slack mrkdwn to text: `<@U1|ada>` -> "@ada" (`<@U1>` -> "@U1"), `<#C1|general>` ->
 * "#general", `<url|label>` -> "label", `<!here>` -> "@here", *bold* _italic_ ~strike~ and
 * code marks removed, `&amp; &lt; &gt;` decoded.
 */
export function slackToText(mrkdwn: string): string {
  const text = mrkdwn
    .replace(/<([@#!])([^|>]+)(?:\|([^>]*))?>/g, (_m, sigil: string, id: string, label: string | undefined) => {
      if (sigil === '!') return `@${(label ?? id).replace(/^subteam\^/, '')}`;
      return `${sigil}${label ?? id}`;
    })
    .replace(/<([^|>]+)\|([^>]*)>/g, '$2')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/```([\s\S]*?)```/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(^|[\s(])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s).,!?:;])/gm, '$1$2')
    .replace(/(^|[\s(])_(?=\S)([^_\n]*?\S)_(?=$|[\s).,!?:;])/gm, '$1$2')
    .replace(/(^|[\s(])~(?=\S)([^~\n]*?\S)~(?=$|[\s).,!?:;])/gm, '$1$2');
  return decodeEntities(text).trim();
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const RICH_TEXT_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'html_to_text',
    doc: 'HTML -> plain text (tags removed, blocks and <br> as line breaks, entities decoded). Inverse: the text HTML-escaped.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => htmlToText(expectString(v, 'html_to_text')),
    inverse: { kind: 'exact', make: () => (v) => escapeHtml(expectString(v, 'html_to_text')) },
  },
  {
    name: 'markdown_to_text',
    doc: 'Markdown -> plain text (emphasis, headings, code marks removed; links keep their text). Inverse: the text with Markdown characters escaped.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => markdownToText(expectString(v, 'markdown_to_text')),
    inverse: { kind: 'exact', make: () => (v) => escapeMarkdown(expectString(v, 'markdown_to_text')) },
  },
  {
    name: 'slack_to_text',
    doc: 'Slack mrkdwn -> plain text (mentions, channel links, URLs, emphasis). Inverse: the text with &, <, > escaped as Slack requires.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => slackToText(expectString(v, 'slack_to_text')),
    inverse: { kind: 'exact', make: () => (v) => escapeSlack(expectString(v, 'slack_to_text')) },
  },
];
