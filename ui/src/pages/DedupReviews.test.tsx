// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { DedupReview } from '../api/types.ts';
import { fakeSession, renderWithSession } from '../test-api.ts';
import { button, byAria, check, click, settle } from '../test-dom.ts';
import type { Rendered } from '../test-dom.ts';
import { DedupReviews, percent } from './DedupReviews.tsx';

function review(id: string, a: string, b: string): DedupReview {
  const candidate = (entity: string, name: string) => ({ id: entity, exists: true, type: 'person', fields: { name, email: `${name.toLowerCase()}@example.com` }, deletedAt: null, mergedInto: null });
  return {
    id, status: 'open', entityType: 'person', score: 0.734,
    candidates: [candidate(`ent_${id}a`, a), candidate(`ent_${id}b`, b)],
    comparison: [
      { field: 'name', values: [a, b], same: a === b, similarity: 0.92, kind: 'name' },
      { field: 'email', values: [`${a.toLowerCase()}@example.com`, `${b.toLowerCase()}@example.com`], same: false, similarity: 0.6, kind: 'email' },
    ],
    payload: {}, resolution: null, createdAt: '2026-01-01T00:00:00Z', resolvedAt: null,
  };
}

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

function setup() {
  let open = [review('rev_1', 'Ada', 'Ada L'), review('rev_2', 'Bob', 'Rob')];
  return fakeSession((call) => {
    if (call.method === 'GET' && call.path === '/v1/dedup/reviews') return [200, { items: call.query.get('status') === 'open' ? open : [], nextCursor: null }];
    if (call.method === 'POST' && call.path === '/v1/dedup/reviews/bulk') {
      const ids = (call.body as { ids: string[] }).ids;
      open = open.filter((item) => !ids.includes(item.id));
      return [200, { results: ids.map((id) => ({ id, ok: true, status: 'dismissed', mergeId: null })) }];
    }
    if (call.method === 'POST' && call.path === '/v1/dedup/reviews/rev_1') {
      open = open.filter((item) => item.id !== 'rev_1');
      return [200, { review: { ...open[0], status: 'merged' }, merge: { id: 'mrg_1', survivorId: 'ent_rev_1a', mergedId: 'ent_rev_1b' } }];
    }
    return undefined;
  });
}

describe('the dedup reviews page', () => {
  it('shows both candidates side by side with the similarity, and merges on accept', async () => {
    const { session, calls } = setup();
    view = await renderWithSession(session, <DedupReviews />);
    await settle();
    const { container } = view;
    await click(button(container, 'Review review rev_1'));
    const detail = container.querySelector('section.panel')!;
    expect(detail.textContent).toContain('score 73 %');
    expect(detail.textContent).toContain('ada@example.com');
    expect(detail.textContent).toContain('ada l@example.com');
    expect(detail.textContent).toContain('92 %');
    await click(button(container, 'Merge (same person)'));
    await settle();
    expect(calls.find((call) => call.method === 'POST' && call.path === '/v1/dedup/reviews/rev_1')?.body).toEqual({ decision: 'accept' });
    expect(container.textContent).toContain('Merged into ent_rev_1a (merge mrg_1).');
    expect(container.querySelector('section.panel')).toBeNull();
  });

  it('rejects the ticked reviews in bulk', async () => {
    const { session, calls } = setup();
    view = await renderWithSession(session, <DedupReviews />);
    await settle();
    const { container } = view;
    await check(byAria(container, 'Select review rev_2'));
    await click(button(container, 'Keep selected apart'));
    await settle();
    expect(calls.find((call) => call.path === '/v1/dedup/reviews/bulk')?.body).toEqual({ ids: ['rev_2'], decision: 'reject' });
    expect(container.textContent).toContain('1 of 1 reviews rejected.');
    expect(container.textContent).not.toContain('Bob');
    expect(container.textContent).toContain('Ada');
  });

  it('writes probabilities as percentages', () => {
    expect(percent(0.734)).toBe('73 %');
    expect(percent(null)).toBe('—');
  });
});
