import { describe, expect, it } from 'vitest';
import { oauthEndpoints } from './endpoints.ts';

describe('oauthEndpoints', () => {
  it('uses the real URLs with the provider\'s default auth base (Google\'s token endpoint is on another host)', () => {
    expect(oauthEndpoints('google', 'https://accounts.google.com')).toEqual({
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      revokeUrl: 'https://oauth2.googleapis.com/revoke',
    });
    expect(oauthEndpoints('github', 'https://github.com/').tokenUrl).toBe('https://github.com/login/oauth/access_token');
  });

  it('puts the paths under another auth base (the sandbox, a My Domain, GitHub Enterprise)', () => {
    expect(oauthEndpoints('slack', 'http://127.0.0.1:9/slack')).toEqual({
      authorizeUrl: 'http://127.0.0.1:9/slack/oauth/v2/authorize',
      tokenUrl: 'http://127.0.0.1:9/slack/api/oauth.v2.access',
      revokeUrl: 'http://127.0.0.1:9/slack/api/auth.revoke',
    });
    expect(oauthEndpoints('salesforce', 'https://acme.my.salesforce.com').tokenUrl).toBe('https://acme.my.salesforce.com/services/oauth2/token');
    expect(oauthEndpoints('notion', 'http://127.0.0.1:9/notion').revokeUrl).toBeNull();
  });
});
