import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../domain/errors.ts';
import type { CredentialType } from '../providers/provider.ts';
import { CREDENTIAL_TYPES, parseCredentialInput } from './validation.ts';

const ALL = CREDENTIAL_TYPES;
const keys = generateKeyPairSync('rsa', { modulusLength: 1024 });
const PEM = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PKCS1 = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
// A throwaway self-signed test certificate and its key (openssl req -x509 -newkey rsa:1024 -nodes), not a real secret.
const CERT = `-----BEGIN CERTIFICATE-----
MIICDjCCAXegAwIBAgIUat6cYCDqropDzid0PNbi8flH0SswDQYJKoZIhvcNAQEL
BQAwGTEXMBUGA1UEAwwOdHJpYnV0YXJ5LXRlc3QwHhcNMjYxMTI2MDcwNjA3WhcN
MzYxMTIzMDcwNjA3WjAZMRcwFQYDVQQDDA50cmlidXRhcnktdGVzdDCBnzANBgkq
hkiG9w0BAQEFAAOBjQAwgYkCgYEAxW6blxFcz8hKqlfVfJHl+cwH2ExZRiW6UpSy
f3sOX4CPdHwhM+6Nv7DFXoaRJ8pVTYR1eJYP58TqVy+8t12r0Ryc95ATx/vJ7ylb
iVai1/K6o3E6/sTV1ONnWF1lpAilKtdw4FRmP6ROmiPzM1DETo46KvLlivZnfM5W
OhSuQdkCAwEAAaNTMFEwHQYDVR0OBBYEFMxfBqTUjzgTB+0WGF+RpFJcLplvMB8G
A1UdIwQYMBaAFMxfBqTUjzgTB+0WGF+RpFJcLplvMA8GA1UdEwEB/wQFMAMBAf8w
DQYJKoZIhvcNAQELBQADgYEAAIR+rjaI6gnvkK45YSXkl6nE9GzSURneUlE6Otmj
GR8rNWaF5ew5wEe4gIWibcXFuVbqDLzpP5lAx4n0bZbgHU3UJGDigdNzi/UFYomC
gQLxih/sMNXELE5V1444HLUNEmD8ZjX7qdkjVRP49T1X0UPUJiZyT6TTkNTiolkG
szM=
-----END CERTIFICATE-----`;
const CERT_KEY = `-----BEGIN PRIVATE KEY-----
MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAMVum5cRXM/ISqpX
1XyR5fnMB9hMWUYlulKUsn97Dl+Aj3R8ITPujb+wxV6GkSfKVU2EdXiWD+fE6lcv
vLddq9EcnPeQE8f7ye8pW4lWotfyuqNxOv7E1dTjZ1hdZaQIpSrXcOBUZj+kTpoj
8zNQxE6OOiry5Yr2Z3zOVjoUrkHZAgMBAAECgYArKdtqU6lu4+MvCrTp3xvgWPL+
HvMFmwn5M/kyVbz2tCyo0tqPeAAVgJgl6lWh1WKA6AymqGghy7NQDGe9zwTY+G0W
YaZl8XF70bcCQLj95zueuzYgNNy07xNAC6CqTChSFPl4hQLHJXzzPYzM7jENrdO4
9oMz4AmRNy+oK3W64QJBAO2B14BEsM9qGtLr2W+upLg40RqgDj3lIbDdkW/VBgfH
poxynZ2vhoRwrI9Rg9LvCDIIy08kdq+dNt2XHhUVZdsCQQDUzfXq/R+cBK9ChHwp
7u+diQE+E4Rp1hTmEEvhHeA9bHwxoUDh9vhw1sSn7WXTWGv4+DhvXWjWWC/qJ+TE
4zdbAkBsUIq3NJxt+zXAe07uX/c/DKpQOi5Ei/qRbnqlRcE6SxLpelvnTeVLARex
RLuZtulF6DzQGxEFhe0/oWtWsiuBAkBtwunj0blbFMN9EK6mRlqLK95bMV/r4wMW
gzNQIsPFis4oHx9DLcqJEQ2P/A+4SfQvD4C0WD65x/S21urVbsjfAkAG/U/zszfw
vcKBHiglEgW2c5mPo4qmzGXs9vbRe6UENw7Bzu46/miB9oA6FxZ+7mKA6M9V1QB/
9GIinyZidrq1
-----END PRIVATE KEY-----`;

function fieldOf(input: unknown, allowed: readonly CredentialType[] = ALL): string | undefined {
  try {
    parseCredentialInput(input, 'github', allowed);
  } catch (error) {
    if (isTributaryError(error) && error.code === 'VALIDATION_FAILED') return error.field;
    throw error;
  }
  return undefined;
}

describe('parseCredentialInput', () => {
  it('accepts a valid credential of each of the nine types', () => {
    const valid: unknown[] = [
      { type: 'oauth2_authorization_code' },
      { type: 'oauth2_client_credentials', clientId: 'id', clientSecret: 'secret', scopes: ['a'] },
      { type: 'jwt_bearer', issuer: 'iss', subject: 'user@example.com', privateKeyPem: PEM },
      { type: 'github_app_installation', appId: '123', installationId: '456', privateKeyPem: PKCS1 },
      { type: 'api_key', apiKey: 'k' },
      { type: 'bearer_token', token: 't' },
      { type: 'basic', username: 'u', password: 'p' },
      { type: 'webhook_signing_secret', secret: 'whsec_abcdefgh' },
      { type: 'client_certificate', certificatePem: CERT, privateKeyPem: CERT_KEY },
    ];
    for (const input of valid) expect(fieldOf(input)).toBeUndefined();
    expect(CREDENTIAL_TYPES).toHaveLength(9);
  });

  it.each([
    [{ type: 'oauth2_client_credentials', clientSecret: 's' }, 'credentials.clientId'],
    [{ type: 'oauth2_client_credentials', clientId: 'c', clientSecret: '' }, 'credentials.clientSecret'],
    [{ type: 'oauth2_client_credentials', clientId: 'c', clientSecret: 's', tokenUrl: 'ftp://x' }, 'credentials.tokenUrl'],
    [{ type: 'jwt_bearer', privateKeyPem: PEM }, 'credentials.issuer'],
    [{ type: 'jwt_bearer', issuer: 'i', privateKeyPem: 'not a key' }, 'credentials.privateKeyPem'],
    [{ type: 'jwt_bearer', serviceAccountKey: '{not json' }, 'credentials.serviceAccountKey'],
    [{ type: 'jwt_bearer', serviceAccountKey: { type: 'service_account', private_key: PEM } }, 'credentials.serviceAccountKey.client_email'],
    [{ type: 'github_app_installation', appId: '1', privateKeyPem: PEM }, 'credentials.installationId'],
    [{ type: 'github_app_installation', appId: '1', installationId: 'abc', privateKeyPem: PEM }, 'credentials.installationId'],
    [{ type: 'api_key' }, 'credentials.apiKey'],
    [{ type: 'api_key', apiKey: 'k', extra: 1 }, 'credentials.extra'],
    [{ type: 'bearer_token', token: 7 }, 'credentials.token'],
    [{ type: 'basic', username: 'u' }, 'credentials.password'],
    [{ type: 'webhook_signing_secret', secret: 'short' }, 'credentials.secret'],
    [{ type: 'client_certificate', certificatePem: 'nope', privateKeyPem: PEM }, 'credentials.certificatePem'],
    [{ type: 'client_certificate', certificatePem: CERT, privateKeyPem: PEM }, 'credentials.privateKeyPem'],
    [{ type: 'client_certificate', privateKeyPem: PEM }, 'credentials.certificatePem'],
    [{ type: 'oauth2_authorization_code', scopes: 'repo' }, 'credentials.scopes'],
    [{ type: 'password' }, 'credentials.type'],
    [null, 'credentials.type'],
  ])('names the field at fault: %j', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('refuses a type the provider does not take, naming credentials.type', () => {
    expect(fieldOf({ type: 'basic', username: 'u', password: 'p' }, ['oauth2_authorization_code', 'bearer_token'])).toBe('credentials.type');
  });

  it('never puts the value in the message', () => {
    try {
      parseCredentialInput({ type: 'jwt_bearer', issuer: 'i', privateKeyPem: 'SUPERSECRETVALUE' }, 'google', ALL);
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('SUPERSECRETVALUE');
    }
  });

  it('unpacks a Google service-account key file into a jwt_bearer credential', () => {
    const keyFile = { type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.com', private_key: PEM, private_key_id: 'kid1', token_uri: 'https://oauth2.googleapis.com/token' };
    expect(parseCredentialInput({ type: 'jwt_bearer', serviceAccountKey: JSON.stringify(keyFile), scopes: ['s'] }, 'google', ALL)).toEqual({
      type: 'jwt_bearer',
      issuer: keyFile.client_email,
      privateKeyPem: PEM,
      keyId: 'kid1',
      tokenUrl: keyFile.token_uri,
      scopes: ['s'],
    });
  });
});
