/**
 * Clustering: union-find over the auto-linked (`match`) pairs, best score first. Every
 * pair is kept as a lineage step of its cluster, including those that joined records
 * already joined through other links, so that undoing a merge is just dropping steps and
 * recomputing the connected components of what remains.
 */
import type { Cluster, ClusterMember, LinkStep, MatchReason, Side } from './types.ts';

/** A link between two records, as input to clustering. */
export interface Link {
  readonly left: ClusterMember;
  readonly right: ClusterMember;
  readonly score: number;
  readonly reason: MatchReason;
}

/** Union-find with path halving and union by size. */
export class UnionFind {
  private readonly parent: number[] = [];
  private readonly size: number[] = [];

  /** Adds a singleton and answers its index. */
  add(): number {
    this.parent.push(this.parent.length);
    this.size.push(1);
    return this.parent.length - 1;
  }

  find(x: number): number {
    let node = x;
    while (this.parent[node] !== node) {
      const grandparent = this.parent[this.parent[node] as number] as number;
      this.parent[node] = grandparent;
      node = grandparent;
    }
    return node;
  }

  /** Joins the sets of a and b; false when they were already one set. */
  union(a: number, b: number): boolean {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return false;
    if ((this.size[rootA] as number) < (this.size[rootB] as number)) [rootA, rootB] = [rootB, rootA];
    this.parent[rootB] = rootA;
    this.size[rootA] = (this.size[rootA] as number) + (this.size[rootB] as number);
    return true;
  }
}

/** The string key of a member: `side:id`. */
export function memberKey(member: ClusterMember): string {
  return `${member.side}:${member.id}`;
}

/** A link between records known by number (their index in the caller's list). */
export interface IndexedLink {
  readonly a: number;
  readonly b: number;
  readonly score: number;
  readonly reason: MatchReason;
}

/**
 * Clusters records known by number: links are applied best score first (ties in input
 * order), each becoming a numbered lineage step of the cluster it ends up in. Members are
 * listed, and clusters ordered, by record number; `member(i)` names record i. Records
 * without a link form no cluster.
 */
export function clusterIndexed(links: readonly IndexedLink[], member: (index: number) => ClusterMember): Cluster[] {
  const order = links.map((link, index) => ({ link, index })).sort((x, y) => y.link.score - x.link.score || x.index - y.index);
  const uf = new UnionFind();
  const node = new Map<number, number>();
  const records: number[] = [];
  const nodeOf = (record: number): number => {
    let index = node.get(record);
    if (index === undefined) {
      index = uf.add();
      node.set(record, index);
      records.push(record);
    }
    return index;
  };
  const steps: { node: number; step: LinkStep }[] = [];
  order.forEach(({ link }, sequence) => {
    const a = nodeOf(link.a);
    const b = nodeOf(link.b);
    const merged = uf.union(a, b);
    steps.push({ node: a, step: { sequence, left: member(link.a), right: member(link.b), score: link.score, reason: link.reason, merged } });
  });
  const byRoot = new Map<number, { records: number[]; lineage: LinkStep[] }>();
  const group = (root: number): { records: number[]; lineage: LinkStep[] } => {
    let entry = byRoot.get(root);
    if (entry === undefined) {
      entry = { records: [], lineage: [] };
      byRoot.set(root, entry);
    }
    return entry;
  };
  records.forEach((record, index) => group(uf.find(index)).records.push(record));
  for (const { step, node: index } of steps) group(uf.find(index)).lineage.push(step);
  return [...byRoot.values()]
    .map(({ records: list, lineage }) => {
      list.sort((x, y) => x - y);
      return { first: list[0] as number, cluster: { id: memberKey(member(list[0] as number)), members: list.map(member), lineage } };
    })
    .sort((x, y) => x.first - y.first)
    .map(({ cluster }) => cluster);
}

/**
 * Clusters the records joined by `links`. Links are applied best score first (ties in
 * input order); each becomes a numbered lineage step of the cluster it ends up in.
 * Members are listed, and clusters ordered, by `side:id`. Records without a link form no
 * cluster. Deterministic for a given input.
 */
export function clusterLinks(links: readonly Link[]): Cluster[] {
  const byKey = new Map<string, ClusterMember>();
  for (const link of links) {
    byKey.set(memberKey(link.left), link.left);
    byKey.set(memberKey(link.right), link.right);
  }
  const keys = [...byKey.keys()].sort();
  const numberOf = new Map(keys.map((key, index) => [key, index]));
  const members = keys.map((key) => byKey.get(key) as ClusterMember);
  const indexed = links.map((link) => ({
    a: numberOf.get(memberKey(link.left)) as number,
    b: numberOf.get(memberKey(link.right)) as number,
    score: link.score,
    reason: link.reason,
  }));
  return clusterIndexed(indexed, (index) => members[index] as ClusterMember);
}

function stepToLink(step: LinkStep): Link {
  return { left: step.left, right: step.right, score: step.score, reason: step.reason };
}

/**
 * Undoes the lineage steps numbered in `sequences` (a merge judged wrong): the cluster is
 * recomputed from its remaining steps, which may split it in two or more clusters (or
 * none, when no link is left); a step another link makes redundant leaves it whole.
 */
export function undoSteps(cluster: Cluster, sequences: readonly number[]): Cluster[] {
  const drop = new Set(sequences);
  return clusterLinks(cluster.lineage.filter((step) => !drop.has(step.sequence)).map(stepToLink));
}

/** Detaches one record from its cluster: every step that touches it is undone. */
export function detachMember(cluster: Cluster, side: Side, id: string): Cluster[] {
  const key = memberKey({ side, id });
  const touching = cluster.lineage.filter((step) => memberKey(step.left) === key || memberKey(step.right) === key);
  return undoSteps(cluster, touching.map((step) => step.sequence));
}
