import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyGooglePubSubPush } from './webhooks.ts';

// Tokens are made here the way Google signs them (RS256 with a `kid`), from the documented claims.
const NOW = Date.parse('2026-11-26T07:00:00Z');

describe('Pub/Sub push OIDC token', async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const other = await generateKeyPair('RS256');
  const expected = { audience: 'https://tributary.example.com/webhooks/whk_1/events', serviceAccountEmail: 'push@proj.iam.gserviceaccount.com', jwks: { keys: [jwk] } };
  const body = Buffer.from(JSON.stringify({ message: { data: Buffer.from('{"emailAddress":"a@b.c","historyId":"9"}').toString('base64'), messageId: '136969346945' }, subscription: 'projects/p/subscriptions/s' }));
  const token = (claims: Record<string, unknown> = {}, key = privateKey, iat = NOW / 1000, audience = expected.audience) =>
    new SignJWT({ email: expected.serviceAccountEmail, email_verified: true, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://accounts.google.com')
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(key);

  it('accepts a token Google would send and decodes the message', async () => {
    const result = await verifyGooglePubSubPush(body, { authorization: `Bearer ${await token()}` }, expected, NOW);
    expect(result).toMatchObject({ ok: true, deliveryId: '136969346945', event: { payload: { data: { historyId: '9' } } } });
  });
  it('refuses a wrong key, audience, email, an expired token and a missing one', async () => {
    const check = async (auth: string | undefined) => (await verifyGooglePubSubPush(body, auth === undefined ? {} : { authorization: auth }, expected, NOW)) as { reason?: string };
    expect((await check(`Bearer ${await token({}, other.privateKey)}`)).reason).toBe('bad_token');
    expect((await check(`Bearer ${await token({}, privateKey, NOW / 1000, 'https://evil.example')}`)).reason).toBe('bad_token');
    expect((await check(`Bearer ${await token({ email: 'x@y.z' })}`)).reason).toBe('wrong_email');
    expect((await check(`Bearer ${await token({ email_verified: false })}`)).reason).toBe('wrong_email');
    expect((await check(`Bearer ${await token({}, privateKey, NOW / 1000 - 7200)}`)).reason).toBe('bad_token');
    expect((await check(undefined)).reason).toBe('missing_token');
  });
});
