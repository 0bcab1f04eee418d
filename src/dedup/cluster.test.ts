import { describe, expect, it } from 'vitest';
import { clusterLinks, detachMember, UnionFind, undoSteps } from './cluster.ts';
import type { Link } from './cluster.ts';
import type { ClusterMember } from './types.ts';

const left = (id: string): ClusterMember => ({ side: 'left', id });
const link = (a: string, b: string, score: number): Link => ({ left: left(a), right: left(b), score, reason: { kind: 'score' } });

describe('UnionFind', () => {
  it('joins sets and reports whether a union merged anything', () => {
    const uf = new UnionFind();
    const [a, b, c] = [uf.add(), uf.add(), uf.add()];
    expect(uf.union(a, b)).toBe(true);
    expect(uf.union(b, a)).toBe(false);
    expect(uf.find(a)).toBe(uf.find(b));
    expect(uf.find(c)).not.toBe(uf.find(a));
  });
});

describe('clusterLinks', () => {
  it('groups transitively linked records and keeps every link as lineage, best score first', () => {
    const clusters = clusterLinks([link('a', 'b', 0.95), link('c', 'd', 0.99), link('b', 'e', 0.97), link('a', 'e', 0.92)]);
    expect(clusters.map((c) => c.members.map((m) => m.id))).toEqual([['a', 'b', 'e'], ['c', 'd']]);
    const abe = clusters[0];
    expect(abe?.id).toBe('left:a');
    expect(abe?.lineage.map((s) => [s.left.id, s.right.id, s.score, s.merged])).toEqual([
      ['b', 'e', 0.97, true],
      ['a', 'b', 0.95, true],
      ['a', 'e', 0.92, false],
    ]);
    expect(abe?.lineage.map((s) => s.sequence)).toEqual([1, 2, 3]);
  });

  it('keeps left and right records with the same id apart', () => {
    const clusters = clusterLinks([{ left: left('1'), right: { side: 'right', id: '1' }, score: 0.9, reason: { kind: 'score' } }]);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.members).toEqual([{ side: 'left', id: '1' }, { side: 'right', id: '1' }]);
  });
});

describe('undoing merges', () => {
  it('splits a cluster when the only link between its halves is undone', () => {
    const [cluster] = clusterLinks([link('a', 'b', 0.99), link('b', 'c', 0.91), link('c', 'd', 0.98)]);
    const bc = cluster?.lineage.find((s) => s.left.id === 'b' && s.right.id === 'c');
    const after = undoSteps(cluster as NonNullable<typeof cluster>, [bc?.sequence as number]);
    expect(after.map((c) => c.members.map((m) => m.id))).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('leaves a cluster whole when another link still holds it together', () => {
    const [cluster] = clusterLinks([link('a', 'b', 0.99), link('b', 'c', 0.95), link('a', 'c', 0.93)]);
    const after = undoSteps(cluster as NonNullable<typeof cluster>, [1]);
    expect(after.map((c) => c.members.map((m) => m.id))).toEqual([['a', 'b', 'c']]);
  });

  it('detaches one record, undoing every link that touches it', () => {
    const [cluster] = clusterLinks([link('a', 'b', 0.99), link('b', 'c', 0.95), link('a', 'c', 0.93), link('c', 'd', 0.97)]);
    const after = detachMember(cluster as NonNullable<typeof cluster>, 'left', 'c');
    expect(after.map((c) => c.members.map((m) => m.id))).toEqual([['a', 'b']]);
  });
});
