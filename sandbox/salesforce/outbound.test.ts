import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../index.ts';
import { createSalesforceSimulator } from './index.ts';

/** Response bodies in these tests are read loosely, as a client reading JSON does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let sandbox: Sandbox | null = null;
let listener: Server | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
  listener?.closeAllConnections();
  await new Promise((resolve) => (listener ? listener.close(resolve) : resolve(null)));
  listener = null;
});

const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const ACK = (ok: boolean) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>${ok}</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>`;

describe('salesforce outbound messages', () => {
  it('POSTs the SOAP notifications envelope with the org id and retries until <Ack>true</Ack>', async () => {
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const answers = [500, 'nack', 'ack'];
    listener = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        const a = answers.shift() ?? 'ack';
        if (a === 500) return res.writeHead(500).end('down');
        res.writeHead(200, { 'content-type': 'text/xml' }).end(ACK(a === 'ack'));
      });
    });
    await new Promise<void>((resolve) => listener?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/sf/outbound`;

    sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 30, webhookDelayScale: 0.001 });
    const base = await sandbox.listen(0);
    const org = await (await fetch(`${base}/_sandbox/salesforce/org`)).json() as Json;
    const target = await (await fetch(`${base}/_sandbox/salesforce/outbound-messages`, json('POST', { url, object: 'Contact' }))).json() as Json;
    expect(target).toMatchObject({ object: 'Contact', orgId: org.orgId, id: expect.stringMatching(/^04k/) });

    const contact = (await (await fetch(`${base}/_sandbox/salesforce/Contact?limit=1`)).json() as Json).records[0];
    await fetch(`${base}/_sandbox/salesforce/Contact/${contact.Id}`, json('PATCH', { Title: 'Head of <Data> & "AI"' }));
    await sandbox.ctx.webhooks.idle();

    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    const first = received[0] as { headers: Record<string, unknown>; body: string };
    expect(first.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(first.headers.soapaction).toBe('""');
    expect(first.body).toContain('<notifications xmlns="http://soap.sforce.com/2005/09/outbound">');
    expect(first.body).toContain(`<OrganizationId>${org.orgId}</OrganizationId>`);
    expect(first.body).toContain(`<ActionId>${target.id}</ActionId>`);
    expect(first.body).toContain('<sObject xsi:type="sf:Contact"');
    expect(first.body).toContain(`<sf:Id>${contact.Id}</sf:Id>`);
    expect(first.body).toContain('<sf:Title>Head of &lt;Data&gt; &amp; &quot;AI&quot;</sf:Title>');
    const [delivery] = sandbox.ctx.webhooks.deliveries('salesforce');
    expect(delivery?.delivered).toBe(true);
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 200, 200]);

    // Changes to other objects and deletions send nothing.
    await fetch(`${base}/_sandbox/salesforce/Account`, json('POST', { Name: 'Quiet Co' }));
    await fetch(`${base}/_sandbox/salesforce/Contact/${contact.Id}`, { method: 'DELETE' });
    await sandbox.ctx.webhooks.idle();
    expect(received).toHaveLength(3);
  });
});
