import type { BulkOutcome, DedupReview, Page } from '../api/types.ts';
import { ErrorBanner, FocusHeading, NeedTenant, Notice, StatusBadge, formatTime } from '../components.tsx';
import { BulkBar, QueueTable, StatusFilter, bulkSummary, detailColumn, useReviewQueue } from '../review-queue.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session-context.tsx';
import { show } from '../table.tsx';
import type { Column } from '../table.tsx';

const STATUSES = ['open', 'merged', 'dismissed'] as const;
type Decision = 'accept' | 'reject';

/** A probability as a percentage (`0.734` -> `73 %`); null as a dash. */
export function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)} %`;
}

/** Dedup reviews: possible duplicates side by side, merged (accept) or kept apart (reject), one by one or in bulk. */
export function DedupReviews() {
  const { api, tenantBase } = useSession();
  const base = tenantBase();
  const queue = useReviewQueue<DedupReview, (typeof STATUSES)[number]>(
    'open',
    base === null ? null : (status, cursor) => api.get<Page<DedupReview>>(`${base}/dedup/reviews`, { status, limit: 25, cursor: cursor ?? undefined }),
    [api, base],
  );
  const { status, selected, shown, list } = queue;

  if (base === null) {
    return (
      <section>
        <h1>Dedup reviews</h1>
        <NeedTenant />
      </section>
    );
  }

  const decide = (id: string, decision: Decision) =>
    queue.run(async () => {
      const answer = await api.post<{ review: DedupReview; merge: { id: string; survivorId: string } | null }>(`${base}/dedup/reviews/${id}`, { decision });
      return answer.merge ? `Merged into ${answer.merge.survivorId} (merge ${answer.merge.id}).` : `Review ${id} rejected: the two stay distinct.`;
    });

  const bulk = (decision: Decision) =>
    queue.run(async () => {
      const { results } = await api.post<{ results: BulkOutcome[] }>(`${base}/dedup/reviews/bulk`, { ids: [...selected], decision });
      return bulkSummary(results, 'reviews', decision === 'accept' ? 'merged' : 'rejected');
    });

  const columns: Column<DedupReview>[] = [
    { header: 'Found', cell: (review) => formatTime(review.createdAt) },
    { header: 'Type', cell: (review) => review.entityType ?? '—' },
    { header: 'Score', cell: (review) => percent(review.score) },
    {
      header: 'Candidates',
      cell: (review) => review.candidates.map((candidate) => String(candidate.fields.name ?? candidate.fields.email ?? candidate.id)).join(' / '),
    },
    { header: 'Status', cell: (review) => <StatusBadge status={review.status === 'open' ? 'pending' : review.status === 'merged' ? 'ok' : review.status} label={review.status} /> },
    detailColumn(queue, (review) => `review ${review.id}`),
  ];
  const current = list.items?.find((review) => review.id === shown) ?? null;

  return (
    <section aria-labelledby="dedup-title">
      <h1 id="dedup-title">Dedup reviews</h1>
      <p className="muted">Records that may be the same person or organization. Accept to merge them (the older entity survives; a merge can be undone from the entity), reject to keep them apart.</p>
      {queue.notice ? <Notice>{queue.notice}</Notice> : null}
      <ErrorBanner error={queue.error} />
      <div className="row toolbar">
        <StatusFilter statuses={STATUSES} queue={queue} />
        {status === 'open' ? (
          <BulkBar
            label="Decide the selected reviews"
            count={selected.size}
            actions={[
              { label: 'Merge selected', run: () => bulk('accept') },
              { label: 'Keep selected apart', secondary: true, run: () => bulk('reject') },
            ]}
          />
        ) : null}
      </div>
      <QueueTable queue={queue} caption="Dedup reviews" noun="review" empty="No possible duplicates wait for a decision." columns={columns} />
      {current ? <ReviewDetail review={current} onDecide={(decision) => decide(current.id, decision)} /> : null}
    </section>
  );
}

function ReviewDetail({ review, onDecide }: { review: DedupReview; onDecide(decision: Decision): void }) {
  const [first, second] = review.candidates;
  const candidate = (label: string, entity: DedupReview['candidates'][number]) => (
    <>
      {label}: <Link to={`/entities/${entity.id}`}>{entity.id}</Link>
      {!entity.exists ? ' (gone)' : entity.mergedInto ? ` (merged into ${entity.mergedInto})` : ''}
    </>
  );
  return (
    <section className="panel" aria-labelledby="review-title">
      <FocusHeading id="review-title">
        Possible duplicate {review.entityType ?? ''} · score {percent(review.score)}
      </FocusHeading>
      <div className="table-wrap">
        <table className="compare">
          <caption className="sr-only">The two candidates field by field</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">{candidate('First', first)}</th>
              <th scope="col">{candidate('Second', second)}</th>
              <th scope="col">Similarity</th>
            </tr>
          </thead>
          <tbody>
            {review.comparison.map((row) => (
              <tr key={row.field} className={row.same ? 'same' : undefined}>
                <th scope="row">
                  {row.field}
                  {row.kind ? <div className="muted">compared as {row.kind}</div> : null}
                </th>
                <td className="mono">{show(row.values[0])}</td>
                <td className="mono">{show(row.values[1])}</td>
                <td>{row.same ? 'same' : percent(row.similarity)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {review.status === 'open' ? (
        <div className="actions">
          <button type="button" onClick={() => onDecide('accept')}>
            Merge (same {review.entityType ?? 'record'})
          </button>
          <button type="button" className="secondary" onClick={() => onDecide('reject')}>
            Keep apart (different)
          </button>
        </div>
      ) : (
        <p className="muted">Decided {formatTime(review.resolvedAt)}.</p>
      )}
    </section>
  );
}
