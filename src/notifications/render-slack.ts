/**
 * Notice -> Slack message (`{ text, blocks }`, Block Kit), the same for an incoming
 * webhook and for chat.postMessage. Pure. `text` is the notification fallback; the
 * blocks carry the title, the subject, the facts, what to do and a button to the admin UI.
 */
import { SEVERITY_MARK, actionOf, adminLink, alertAction, alertFacts, alertTitle, eventLink, factList, isoTime, subjectLabel, summaryLine, titleOf, type Notice } from './message.ts';

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Slack's mrkdwn needs &, < and > escaped in text we did not write. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const button = (url: string, label: string) => ({
  type: 'actions',
  elements: [{ type: 'button', text: { type: 'plain_text', text: label }, url, action_id: 'open_admin' }],
});

export function renderSlack(notice: Notice, publicUrl: string): SlackMessage {
  const text = summaryLine(notice);
  switch (notice.kind) {
    case 'event':
    case 'folded': {
      const { event } = notice;
      const facts = factList(event.facts);
      const blocks: Record<string, unknown>[] = [
        { type: 'header', text: { type: 'plain_text', text: `${SEVERITY_MARK[event.severity]} ${titleOf(event.type)}` } },
        section(`*${escapeMrkdwn(subjectLabel(event.subject))}* · severity *${event.severity}* · ${isoTime(event.at)}`),
      ];
      if (notice.kind === 'folded') blocks.push(section(`*${notice.count} more* since ${isoTime(notice.since)} (repeats folded into this message).`));
      if (facts.length > 0) {
        blocks.push({ type: 'section', fields: facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}` })) });
      }
      blocks.push(section(`*What to do:* ${actionOf(event.type)}`));
      blocks.push(button(eventLink(publicUrl, event), 'Open in Tributary'));
      blocks.push(context(`\`${event.type}\` · tenant ${escapeMrkdwn(event.tenantId)}`));
      return { text, blocks };
    }
    case 'digest': {
      const lines = notice.entries.map(
        (e) => `${SEVERITY_MARK[e.severity]} *${titleOf(e.type)}* ×${e.count}: <${eventLink(publicUrl, e)}|${escapeMrkdwn(subjectLabel(e.subject))}> (last ${isoTime(e.lastAt)})`,
      );
      const blocks: Record<string, unknown>[] = [
        { type: 'header', text: { type: 'plain_text', text: `Tributary digest: ${notice.ruleName}` } },
        context(`${isoTime(notice.from)} – ${isoTime(notice.to)}`),
      ];
      // A section text holds at most 3000 characters: split long digests.
      for (let i = 0; i < lines.length; i += 20) blocks.push(section(lines.slice(i, i + 20).join('\n')));
      if (lines.length === 0) blocks.push(section('Nothing happened in this interval.'));
      return { text, blocks: blocks.slice(0, 50) };
    }
    case 'test':
      return {
        text,
        blocks: [section(`✅ *Tributary test message* for channel *${escapeMrkdwn(notice.channelName)}*, sent ${isoTime(notice.at)}.`), button(adminLink(publicUrl, { kind: 'tenant', id: '' }), 'Open Tributary')],
      };
    case 'alert': {
      const facts = factList(alertFacts(notice.alert, notice.source));
      return {
        text,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: alertTitle(notice.alert) } },
          { type: 'section', fields: facts.map((f) => ({ type: 'mrkdwn', text: `*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}` })) },
          section(`*What to do:* ${alertAction(notice.alert)}`),
          context(`operator alert \`${notice.alert.name}\` · ${isoTime(notice.alert.at)}`),
        ],
      };
    }
  }
}
