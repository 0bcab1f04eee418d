import { randomBytes } from 'node:crypto';
import { decodeJwt, exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';

/** Google's token URI, which service-account assertions name as their audience. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

interface ServiceAccount {
  clientEmail: string;
  clientId: string;
  keyId: string;
  publicKey: CryptoKey;
}

export type AssertionCheck =
  | { ok: true; clientEmail: string; subject: string | null; scopes: string[] }
  | { ok: false; error: 'invalid_grant' | 'invalid_scope'; description: string };

/**
 * Sandbox service accounts: the control API hands out a Google-format JSON key file
 * (RSA private key in PKCS#8 PEM); the token endpoint verifies RS256 JWT-bearer
 * assertions signed with it (jose), as Google does: `iss` = client_email, `aud` = the
 * token URI, `exp - iat` ≤ 1 h, a `scope` claim unless `sub`-delegated.
 */
export class ServiceAccounts {
  private readonly accounts = new Map<string, ServiceAccount>();
  private seq = 0;

  reset(): void {
    this.accounts.clear();
  }

  async create(tokenUri: string, projectId = 'tributary-sandbox'): Promise<Record<string, string>> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
    const n = ++this.seq;
    const clientEmail = `sandbox-sa-${n}@${projectId}.iam.gserviceaccount.com`;
    const keyId = randomBytes(20).toString('hex');
    const clientId = `1${String(100_000_000_000_000_000n + BigInt(n))}`;
    this.accounts.set(clientEmail, { clientEmail, clientId, keyId, publicKey });
    return {
      type: 'service_account',
      project_id: projectId,
      private_key_id: keyId,
      private_key: await exportPKCS8(privateKey),
      client_email: clientEmail,
      client_id: clientId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: tokenUri,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      universe_domain: 'googleapis.com',
    };
  }

  async verify(assertion: string, audiences: string[], nowMs: number): Promise<AssertionCheck> {
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(assertion);
    } catch {
      return { ok: false, error: 'invalid_grant', description: 'Invalid JWT: Not a valid JWT.' };
    }
    const account = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (!account) return { ok: false, error: 'invalid_grant', description: 'Invalid grant: account not found' };
    try {
      await jwtVerify(assertion, account.publicKey, { algorithms: ['RS256'], currentDate: new Date(nowMs), clockTolerance: 0 });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return { ok: false, error: 'invalid_grant', description: shortLived };
      return { ok: false, error: 'invalid_grant', description: 'Invalid JWT Signature.' };
    }
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
      return { ok: false, error: 'invalid_grant', description: 'Invalid JWT: Failed audience check.' };
    }
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp - iat > 3600 || iat * 1000 > nowMs + 300_000) {
      return { ok: false, error: 'invalid_grant', description: shortLived };
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [];
    if (scopes.length === 0) return { ok: false, error: 'invalid_scope', description: 'Invalid OAuth scope or ID token audience provided.' };
    return { ok: true, clientEmail: account.clientEmail, subject: typeof claims.sub === 'string' ? claims.sub : null, scopes };
  }
}

const shortLived =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
