/**
 * Notice -> the Microsoft Teams Workflows webhook body: a `message` with one Adaptive
 * Card 1.4 attachment (title, subject, FactSet, what to do, an OpenUrl action to the
 * admin UI). Pure. Office 365 connector MessageCards are retired and not produced.
 */
import { SEVERITY_MARK, actionOf, adminLink, alertAction, alertFacts, alertTitle, eventLink, factList, isoTime, subjectLabel, summaryLine, titleOf, type Notice } from './message.ts';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [{ readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; readonly contentUrl: null; readonly content: AdaptiveCard }];
}

export interface AdaptiveCard {
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly type: 'AdaptiveCard';
  readonly version: '1.4';
  readonly body: readonly Record<string, unknown>[];
  readonly actions?: readonly Record<string, unknown>[];
  readonly msteams?: { readonly width: 'Full' };
}

const COLOR = { info: 'Default', warning: 'Warning', critical: 'Attention' } as const;

const textBlock = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text, wrap: true, ...extra });

function card(body: Record<string, unknown>[], actions: Record<string, unknown>[]): TeamsMessage {
  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content }] };
}

const openUrl = (url: string, title: string) => ({ type: 'Action.OpenUrl', title, url });

export function renderTeams(notice: Notice, publicUrl: string): TeamsMessage {
  switch (notice.kind) {
    case 'event':
    case 'folded': {
      const { event } = notice;
      const facts = factList(event.facts).map((f) => ({ title: f.label, value: f.value }));
      const body: Record<string, unknown>[] = [
        textBlock(`${SEVERITY_MARK[event.severity]} ${titleOf(event.type)}`, { size: 'Large', weight: 'Bolder', color: COLOR[event.severity] }),
        textBlock(`${subjectLabel(event.subject)} · severity ${event.severity} · ${isoTime(event.at)}`, { isSubtle: true, spacing: 'None' }),
      ];
      if (notice.kind === 'folded') body.push(textBlock(`**${notice.count} more** since ${isoTime(notice.since)} (repeats folded into this message).`));
      if (facts.length > 0) body.push({ type: 'FactSet', facts });
      body.push(textBlock(`**What to do:** ${actionOf(event.type)}`));
      body.push(textBlock(`${event.type} · tenant ${event.tenantId}`, { isSubtle: true, size: 'Small' }));
      return card(body, [openUrl(eventLink(publicUrl, event), 'Open in Tributary')]);
    }
    case 'digest': {
      const body: Record<string, unknown>[] = [
        textBlock(`Tributary digest: ${notice.ruleName}`, { size: 'Large', weight: 'Bolder' }),
        textBlock(`${isoTime(notice.from)} – ${isoTime(notice.to)}`, { isSubtle: true, spacing: 'None' }),
      ];
      if (notice.entries.length === 0) body.push(textBlock('Nothing happened in this interval.'));
      else
        body.push({
          type: 'FactSet',
          facts: notice.entries.slice(0, 100).map((e) => ({
            title: `${SEVERITY_MARK[e.severity]} ${titleOf(e.type)} ×${e.count}`,
            value: `[${subjectLabel(e.subject)}](${eventLink(publicUrl, e)}) (last ${isoTime(e.lastAt)})`,
          })),
        });
      return card(body, []);
    }
    case 'test':
      return card([textBlock(summaryLine(notice), { weight: 'Bolder' }), textBlock(`Sent ${isoTime(notice.at)}.`, { isSubtle: true })], [
        openUrl(adminLink(publicUrl, { kind: 'tenant', id: '' }), 'Open Tributary'),
      ]);
    case 'alert':
      return card([
        textBlock(alertTitle(notice.alert), { size: 'Large', weight: 'Bolder', color: notice.alert.state === 'firing' ? 'Attention' : 'Good' }),
        { type: 'FactSet', facts: factList(alertFacts(notice.alert, notice.source)).map((f) => ({ title: f.label, value: f.value })) },
        textBlock(`**What to do:** ${alertAction(notice.alert)}`),
        textBlock(`operator alert ${notice.alert.name} · ${isoTime(notice.alert.at)}`, { isSubtle: true, size: 'Small' }),
      ], []);
  }
}
