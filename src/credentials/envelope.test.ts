import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_FORMAT_V1, openSecret, rewrapKey, sealSecret } from './envelope.ts';
import type { MasterKey, MasterKeyring, StoredSecret } from './envelope.ts';

const binding = { tenantId: 'ten_a', ref: 'sec_1' };

function masterKey(version: number): MasterKey {
  return { version, key: randomBytes(32) };
}

function keyringOf(...keys: MasterKey[]): MasterKeyring {
  const byVersion = new Map(keys.map((k) => [k.version, k]));
  const current = keys.reduce((a, b) => (b.version > a.version ? b : a));
  return { current, get: (version) => byVersion.get(version) };
}

function flipByte(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function expectDecryptFailure(run: () => unknown, keys: MasterKey[], value?: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toMatchObject({ name: 'TributaryError', code: 'SECRET_DECRYPT_FAILED' });
  const text = `${(caught as Error).message} ${JSON.stringify((caught as { details?: unknown }).details)}`;
  for (const key of keys) {
    expect(text).not.toContain(key.key.toString('base64'));
    expect(text).not.toContain(key.key.toString('hex'));
  }
  if (value !== undefined) expect(text).not.toContain(value);
}

describe('envelope encryption', () => {
  it('opens what it sealed, unicode and empty values included', () => {
    const key = masterKey(1);
    for (const value of ['xoxb-123-secret', '', 'ünïcødé 🔑 and "quotes"', 'x'.repeat(100_000)]) {
      const sealed = sealSecret(value, binding, key);
      expect(sealed.keyVersion).toBe(1);
      expect(openSecret({ ...binding, ...sealed }, keyringOf(key))).toBe(value);
    }
  });

  it('writes versioned blobs with a fresh data key and IV each time', () => {
    const key = masterKey(1);
    const a = sealSecret('same value', binding, key);
    const b = sealSecret('same value', binding, key);
    expect(a.ciphertext[0]).toBe(ENVELOPE_FORMAT_V1);
    expect(a.wrappedKey[0]).toBe(ENVELOPE_FORMAT_V1);
    expect(a.wrappedKey.length).toBe(1 + 12 + 16 + 32);
    expect(a.ciphertext.length).toBe(1 + 12 + 16 + 'same value'.length);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from('same value'))).toBe(false);
  });

  it('fails on any flipped byte of the ciphertext or the wrapped key', () => {
    const key = masterKey(1);
    const value = 'refresh-token-value';
    const sealed = sealSecret(value, binding, key);
    const keyring = keyringOf(key);
    for (let i = 0; i < sealed.ciphertext.length; i += 1) {
      const row: StoredSecret = { ...binding, ...sealed, ciphertext: flipByte(sealed.ciphertext, i) };
      expectDecryptFailure(() => openSecret(row, keyring), [key], value);
    }
    for (let i = 0; i < sealed.wrappedKey.length; i += 1) {
      const row: StoredSecret = { ...binding, ...sealed, wrappedKey: flipByte(sealed.wrappedKey, i) };
      expectDecryptFailure(() => openSecret(row, keyring), [key], value);
    }
  });

  it('fails on truncated blobs', () => {
    const key = masterKey(1);
    const sealed = sealSecret('v', binding, key);
    expectDecryptFailure(() => openSecret({ ...binding, ...sealed, ciphertext: sealed.ciphertext.subarray(0, 20) }, keyringOf(key)), [key]);
    expectDecryptFailure(() => openSecret({ ...binding, ...sealed, wrappedKey: sealed.wrappedKey.subarray(0, 45) }, keyringOf(key)), [key]);
    expectDecryptFailure(() => openSecret({ ...binding, ...sealed, ciphertext: Buffer.alloc(0) }, keyringOf(key)), [key]);
  });

  it('is bound to its tenant, its ref and its master key version', () => {
    const key = masterKey(1);
    const sealed = sealSecret('bound', binding, key);
    const keyring = keyringOf(key);
    expectDecryptFailure(() => openSecret({ ...sealed, tenantId: 'ten_b', ref: binding.ref }, keyring), [key]);
    expectDecryptFailure(() => openSecret({ ...sealed, tenantId: binding.tenantId, ref: 'sec_2' }, keyring), [key]);
    // Length prefixes: moving characters between tenant and ref does not produce the same AAD.
    expectDecryptFailure(() => openSecret({ ...sealed, tenantId: 'ten_as', ref: 'ec_1' }, keyring), [key]);
    // The same key bytes registered under another version do not open it either.
    const relabelled = { version: 2, key: key.key };
    expectDecryptFailure(() => openSecret({ ...binding, ...sealed, keyVersion: 2 }, keyringOf(relabelled)), [key]);
  });

  it('fails with the wrong master key or a version missing from the keyring', () => {
    const key = masterKey(1);
    const impostor = masterKey(1);
    const sealed = sealSecret('v', binding, key);
    expectDecryptFailure(() => openSecret({ ...binding, ...sealed }, keyringOf(impostor)), [key, impostor]);
    expectDecryptFailure(() => openSecret({ ...binding, ...sealed }, keyringOf(masterKey(2))), [key]);
  });

  it('refuses blobs of an unknown format version', () => {
    const key = masterKey(1);
    const sealed = sealSecret('v', binding, key);
    const future = Buffer.from(sealed.ciphertext);
    future[0] = 0x02;
    expect(() => openSecret({ ...binding, ...sealed, ciphertext: future }, keyringOf(key))).toThrow(/unknown format version 2/);
  });

  it('re-wraps only the data key, leaving the ciphertext byte for byte', () => {
    const v1 = masterKey(1);
    const v2 = masterKey(2);
    const sealed = sealSecret('survives rotation', binding, v1);
    const rewrapped = rewrapKey({ ...binding, ...sealed }, v1, v2);
    expect(rewrapped.keyVersion).toBe(2);
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    expect(rewrapped.wrappedKey.equals(sealed.wrappedKey)).toBe(false);
    expect(openSecret({ ...binding, ...rewrapped }, keyringOf(v1, v2))).toBe('survives rotation');
    // Only version 2 can open it now.
    expectDecryptFailure(() => openSecret({ ...binding, ...rewrapped, keyVersion: 1 }, keyringOf(v1, v2)), [v1, v2]);
  });

  it('refuses to re-wrap with a from-key that did not wrap the row', () => {
    const v1 = masterKey(1);
    const v2 = masterKey(2);
    const sealed = sealSecret('v', binding, v1);
    expectDecryptFailure(() => rewrapKey({ ...binding, ...sealed }, v2, masterKey(3)), [v1, v2]);
    expectDecryptFailure(() => rewrapKey({ ...binding, ...sealed }, { version: 1, key: randomBytes(32) }, v2), [v1, v2]);
  });

  it('rejects master keys that are not 32 bytes with a positive version', () => {
    expect(() => sealSecret('v', binding, { version: 1, key: randomBytes(16) })).toThrow(expect.objectContaining({ code: 'MASTER_KEY_INVALID' }));
    expect(() => sealSecret('v', binding, { version: 0, key: randomBytes(32) })).toThrow(expect.objectContaining({ code: 'MASTER_KEY_INVALID' }));
  });
});
