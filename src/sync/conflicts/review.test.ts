import { describe, expect, it } from 'vitest';
import type { ConflictFieldRecord } from '../../domain/conflict.ts';
import { isTributaryError } from '../../domain/errors.ts';
import { choicesFor, decideReview } from './review.ts';

const pending = (base: unknown, local: unknown, remote: unknown): ConflictFieldRecord => ({ base, local, remote, decision: 'pending', strategy: 'manual', reason: 'held for review' });
const FIELDS = { title: pending('Engineer', 'Host title', 'SF title'), phone: pending('1', '2', '3') };

function errorOf(fn: () => unknown): { code: string; field: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (isTributaryError(error)) return { code: error.code, field: error.field };
    throw error;
  }
  throw new Error('expected an error');
}

describe('deciding a conflict under review', () => {
  it('gives every field the side chosen, with per-field overrides and explicit values', () => {
    const choices = choicesFor(['title', 'phone'], { resolution: 'local', fields: { phone: { value: '4' } } });
    expect([...choices]).toEqual([['phone', { value: '4' }], ['title', { side: 'local' }]]);
    const outcome = decideReview({ fields: FIELDS, choices, currentLocal: { title: 'Host title', phone: '2' }, by: 'tenant:key_1' });
    expect(outcome.toLocal).toEqual({ phone: '4' });
    expect(outcome.toRemote).toEqual({ title: 'Host title', phone: '4' });
    // Both still have to reach the provider: their base is what the provider holds now.
    expect(outcome.base).toEqual({ title: 'SF title', phone: '3' });
    expect(outcome.decisions).toEqual({ title: { decision: 'local', value: 'Host title' }, phone: { decision: 'value', value: '4' } });
  });

  it('choosing the provider writes the entity only, and the base becomes the agreed value', () => {
    const outcome = decideReview({ fields: FIELDS, choices: choicesFor(['title', 'phone'], { resolution: 'remote' }), currentLocal: { title: 'Host title', phone: '2' }, by: 'x' });
    expect(outcome).toMatchObject({ toLocal: { title: 'SF title', phone: '3' }, toRemote: {}, base: { title: 'SF title', phone: '3' } });
  });

  it('refuses bad requests naming the field', () => {
    expect(errorOf(() => choicesFor(['title'], { resolution: 'nope' as 'local' }))).toEqual({ code: 'VALIDATION_FAILED', field: 'resolution' });
    expect(errorOf(() => choicesFor(['title'], { resolution: 'local', fields: { email: 'local' } }))).toEqual({ code: 'VALIDATION_FAILED', field: 'fields.email' });
    expect(errorOf(() => choicesFor(['title', 'phone'], { resolution: 'value', fields: { title: { value: 'x' } } }))).toEqual({ code: 'VALIDATION_FAILED', field: 'fields.phone' });
    expect(errorOf(() => choicesFor(['title'], { resolution: 'local', fields: { title: 'both' as 'local' } }))).toEqual({ code: 'VALIDATION_FAILED', field: 'fields.title' });
  });

  it('refuses a decision on a value the host changed since the conflict was recorded', () => {
    const choices = choicesFor(['title', 'phone'], { resolution: 'local' });
    expect(errorOf(() => decideReview({ fields: FIELDS, choices, currentLocal: { title: 'Newer', phone: '2' }, by: 'x' }))).toMatchObject({ code: 'CONFLICT', field: 'title' });
  });
});
