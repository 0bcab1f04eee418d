import { describe, expect, it } from 'vitest';
import { classifyRemote, isEcho, pushedHash } from './echo.ts';

const PUSHED = { firstName: 'Ada', lastName: 'Lovelace', phone: '+442079460000', address: { city: 'London', country: 'GB' } };

describe('pushedHash', () => {
  it('is a sha256 hex digest that ignores key order and empty fields', () => {
    const h = pushedHash(PUSHED);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(pushedHash({ address: { country: 'GB', city: 'London' }, phone: '+442079460000', lastName: 'Lovelace', firstName: 'Ada', title: null })).toBe(h);
  });

  it('changes when any value changes', () => {
    expect(pushedHash({ ...PUSHED, phone: '+442079460001' })).not.toBe(pushedHash(PUSHED));
    expect(pushedHash({ ...PUSHED, address: { city: 'London', country: 'UK' } })).not.toBe(pushedHash(PUSHED));
  });
});

describe('isEcho / classifyRemote', () => {
  const link = { pushedHash: pushedHash(PUSHED), remoteVersion: '"etag-7"' };

  it('recognises our own write coming back with a new version', () => {
    expect(classifyRemote(link, { ...PUSHED }, '"etag-8"')).toBe('echo');
    expect(isEcho(link, { ...PUSHED }, '"etag-8"')).toBe(true);
  });

  it('projects the incoming record onto the synced fields when told which they are', () => {
    const incoming = { ...PUSHED, lastViewedDate: '2026-11-20T10:00:00Z' };
    expect(isEcho(link, incoming, null)).toBe(false);
    expect(isEcho(link, incoming, null, ['firstName', 'lastName', 'phone', 'address'])).toBe(true);
  });

  it('treats a version already recorded as unchanged', () => {
    expect(classifyRemote({ pushedHash: null, remoteVersion: '"etag-7"' }, { anything: 1 }, '"etag-7"')).toBe('unchanged');
  });

  it('sees a real remote edit as a change, and anything when nothing was pushed', () => {
    expect(classifyRemote(link, { ...PUSHED, phone: '+442079460009' }, '"etag-8"')).toBe('changed');
    expect(classifyRemote({ pushedHash: null, remoteVersion: null }, PUSHED, null)).toBe('changed');
  });
});
