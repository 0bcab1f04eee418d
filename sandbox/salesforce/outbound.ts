import type { SandboxContext } from '../core/types.ts';
import { KEY_PREFIXES, makeId } from './ids.ts';
import { objectDef } from './schema.ts';
import type { SfRecord } from './store.ts';
import { sfDate } from './query.ts';

/** A registered outbound-message target (workflow rule + outbound message action). */
export interface OutboundTarget {
  id: string;
  url: string;
  object: string;
  orgId: string;
  /** Fields sent in each notification's sObject; default Id plus every populated field. */
  fields: string[] | null;
}

const MINUTE = 60_000;
/** Salesforce retries at growing intervals (at most 2 h apart) for up to 24 hours. */
export const OUTBOUND_RETRY_DELAYS_MS: number[] = (() => {
  const out: number[] = [];
  let delay = 15_000;
  let total = 0;
  while (total + delay <= 24 * 60 * MINUTE) {
    out.push(delay);
    total += delay;
    delay = Math.min(delay * 2, 120 * MINUTE);
  }
  return out;
})();

/**
 * Outbound messages: when a record of a target's object is created or updated, a SOAP 1.1
 * `notifications` envelope is POSTed to the target with the org id, and retried until the
 * listener answers `<Ack>true</Ack>`. There is no signature: receivers check OrganizationId.
 */
export class OutboundMessages {
  private targets: OutboundTarget[] = [];
  private seq = 0;
  private notificationSeq = 0;

  add(input: { url: string; object: string; orgId: string; fields?: string[] }): OutboundTarget {
    const def = objectDef(input.object);
    if (!def) throw new RangeError(`unknown object ${input.object}`);
    const target: OutboundTarget = {
      id: makeId(KEY_PREFIXES.OutboundAction, 5000 + ++this.seq),
      url: input.url,
      object: def.name,
      orgId: input.orgId,
      fields: input.fields ?? null,
    };
    this.targets.push(target);
    return target;
  }

  list(): OutboundTarget[] {
    return [...this.targets];
  }

  remove(id?: string): number {
    const before = this.targets.length;
    this.targets = id ? this.targets.filter((t) => t.id !== id) : [];
    return before - this.targets.length;
  }

  /** Sends the change to every matching target (deletes send nothing: workflow rules do not fire on delete). */
  notify(ctx: SandboxContext, record: SfRecord, instanceUrl: string): void {
    for (const target of this.targets) {
      if (target.object !== record.type) continue;
      const body = envelope(target, record, instanceUrl, makeId(KEY_PREFIXES.OutboundNotification, 9000 + ++this.notificationSeq));
      ctx.webhooks.deliver({
        provider: 'salesforce',
        url: target.url,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'user-agent': 'Jakarta Commons-HttpClient/3.1' },
        body,
        retryDelaysMs: OUTBOUND_RETRY_DELAYS_MS,
        classify: ({ status, body: answer }) =>
          status >= 200 && status < 300 && /<(?:\w+:)?Ack>\s*true\s*<\/(?:\w+:)?Ack>/i.test(answer) ? 'delivered' : 'retry',
        timeoutMs: 10_000,
      });
    }
  }
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function envelope(target: OutboundTarget, record: SfRecord, instanceUrl: string, notificationId: string): string {
  const values: [string, unknown][] = [['Id', record.id]];
  const wanted = target.fields ?? Object.keys(record.fields);
  for (const name of wanted) {
    if (name === 'Id') continue;
    const v = name === 'LastModifiedDate' || name === 'SystemModstamp' ? sfDate(record.modstamp) : name === 'CreatedDate' ? sfDate(record.created) : record.fields[name];
    if (v !== null && v !== undefined && v !== '') values.push([name, v]);
  }
  if (!target.fields) values.push(['CreatedDate', sfDate(record.created)], ['LastModifiedDate', sfDate(record.modstamp)], ['SystemModstamp', sfDate(record.modstamp)]);
  const org15 = target.orgId.slice(0, 15);
  const fields = values.map(([k, v]) => `     <sf:${k}>${xml(String(v))}</sf:${k}>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${xml(target.orgId)}</OrganizationId>
   <ActionId>${target.id}</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>${xml(`${instanceUrl}/services/Soap/c/60.0/${org15}`)}</EnterpriseUrl>
   <PartnerUrl>${xml(`${instanceUrl}/services/Soap/u/60.0/${org15}`)}</PartnerUrl>
   <Notification>
    <Id>${notificationId}</Id>
    <sObject xsi:type="sf:${record.type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
${fields}
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>
`;
}
