// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import type { ConnectResult } from '../api/types.ts';
import { button, byLabel, click, errorOf, render, settle, type } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { ConnectForm, validateConnect } from './ConnectForm.tsx';
import type { ConnectRequest } from './ConnectForm.tsx';

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

const CONNECTED: ConnectResult = {
  connection: { id: 'con_1', tenantId: 'ten_1', provider: 'notion', name: 'Docs', status: 'active', baseUrl: 'https://api.notion.com', account: null, objects: [], credential: null },
  authorizeUrl: null,
};

describe('the connect form', () => {
  it('shows each missing or malformed field next to that field and sends nothing', async () => {
    const sent: ConnectRequest[] = [];
    view = await render(<ConnectForm submit={async (request) => (sent.push(request), CONNECTED)} returnUrl="http://127.0.0.1/connections" onDone={() => undefined} />);
    const { container } = view;
    await type(byLabel<HTMLSelectElement>(container, 'How to connect'), 'api_key');
    await type(byLabel(container, 'Base URL (optional)'), 'not a url');
    await click(button(container, 'Connect'));

    const name = byLabel(container, 'Name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(container, name)).toBe('Give the connection a name.');
    expect(errorOf(container, byLabel(container, 'API key'))).toBe('Enter the API key.');
    expect(errorOf(container, byLabel(container, 'Base URL (optional)'))).toMatch(/full http\(s\) URL/);
    expect(sent).toEqual([]);
  });

  it("puts the server's field error beside the field it names, and clears the secret on success", async () => {
    let answer: 'reject' | 'accept' = 'reject';
    const sent: ConnectRequest[] = [];
    const done: ConnectResult[] = [];
    view = await render(
      <ConnectForm
        submit={async (request) => {
          sent.push(request);
          if (answer === 'reject') throw new ApiError(400, 'VALIDATION_FAILED', 'this key was refused by the provider', 'body.credential.apiKey');
          return CONNECTED;
        }}
        returnUrl="http://127.0.0.1/connections"
        onDone={(result) => done.push(result)}
      />,
    );
    const { container } = view;
    await type(byLabel<HTMLSelectElement>(container, 'Provider'), 'notion');
    await type(byLabel(container, 'Name'), ' Docs ');
    await type(byLabel<HTMLSelectElement>(container, 'How to connect'), 'api_key');
    await type(byLabel(container, 'API key'), 'secret_123');
    await click(button(container, 'Connect'));
    await settle();

    expect(sent).toEqual([{ provider: 'notion', name: 'Docs', credential: { type: 'api_key', apiKey: 'secret_123' } }]);
    expect(errorOf(container, byLabel(container, 'API key'))).toBe('this key was refused by the provider');
    expect(errorOf(container, byLabel(container, 'Name'))).toBeNull();
    expect(container.querySelector('[role="alert"]')).toBeNull();

    answer = 'accept';
    await click(button(container, 'Connect'));
    await settle();
    expect(done).toEqual([CONNECTED]);
    expect(byLabel(container, 'API key').value).toBe('');
    expect(errorOf(container, byLabel(container, 'API key'))).toBeNull();
  });

  it('shows an error without a known field as a banner, and sends the return URL for OAuth', async () => {
    const sent: ConnectRequest[] = [];
    view = await render(
      <ConnectForm
        submit={async (request) => {
          sent.push(request);
          throw new ApiError(422, 'OAUTH_NOT_CONFIGURED', 'no OAuth client is configured for salesforce');
        }}
        returnUrl="http://127.0.0.1:4000/connections"
        onDone={() => undefined}
      />,
    );
    const { container } = view;
    await type(byLabel(container, 'Name'), 'Sales');
    await click(button(container, 'Continue to the provider'));
    await settle();
    expect(sent[0]).toEqual({ provider: 'salesforce', name: 'Sales', credential: { type: 'oauth2_authorization_code' }, returnUrl: 'http://127.0.0.1:4000/connections' });
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('no OAuth client is configured for salesforce');
  });

  it('sends the authorization server for OAuth only, and checks it is an http(s) URL', async () => {
    const sent: ConnectRequest[] = [];
    view = await render(<ConnectForm submit={async (request) => (sent.push(request), CONNECTED)} returnUrl="http://127.0.0.1/connections" onDone={() => undefined} />);
    const { container } = view;
    await type(byLabel(container, 'Name'), 'Sandbox org');
    await type(byLabel(container, 'Authorization server (optional)'), 'test.salesforce.com');
    await click(button(container, 'Continue to the provider'));
    expect(errorOf(container, byLabel(container, 'Authorization server (optional)'))).toMatch(/full http\(s\) URL/);
    expect(sent).toEqual([]);

    await type(byLabel(container, 'Authorization server (optional)'), 'https://test.salesforce.com');
    await click(button(container, 'Continue to the provider'));
    await settle();
    expect(sent).toEqual([
      { provider: 'salesforce', name: 'Sandbox org', credential: { type: 'oauth2_authorization_code' }, returnUrl: 'http://127.0.0.1/connections', authBaseUrl: 'https://test.salesforce.com' },
    ]);

    // A key form has no sign-in step: the field is gone and nothing of it is sent.
    await type(byLabel<HTMLSelectElement>(container, 'How to connect'), 'bearer_token');
    expect([...container.querySelectorAll('label')].some((label) => label.textContent?.startsWith('Authorization server'))).toBe(false);
    await type(byLabel(container, 'Access token'), 'tok');
    await click(button(container, 'Connect'));
    await settle();
    expect(sent[1]).toEqual({ provider: 'salesforce', name: 'Sandbox org', credential: { type: 'bearer_token', token: 'tok' } });
  });

  it('accepts http and https base URLs only', () => {
    const base = { name: 'x', kind: 'bearer_token' as const, secrets: { token: 't' } };
    expect(validateConnect({ ...base, baseUrl: 'https://acme.my.salesforce.com' })).toEqual({});
    expect(validateConnect({ ...base, baseUrl: '' })).toEqual({});
    expect(Object.keys(validateConnect({ ...base, baseUrl: 'ftp://acme' }))).toEqual(['baseUrl']);
  });
});
