import type { GroundTruth, ProviderName } from './types.ts';

export interface TruthEntry {
  provider: ProviderName;
  object: string;
  externalId: string;
  truthId: string;
}

export interface SandboxGroundTruth extends GroundTruth {
  clear(): void;
  /** `provider,object,externalId,truthId` with a header line. */
  toCsv(): string;
}

/** Which provider records are the same real person: what deduplication is measured against. */
export function createGroundTruth(): SandboxGroundTruth {
  const byKey = new Map<string, TruthEntry>();
  const keyOf = (provider: string, object: string, externalId: string) => `${provider}\u0000${object}\u0000${externalId}`;
  return {
    record(entry) {
      byKey.set(keyOf(entry.provider, entry.object, entry.externalId), { ...entry });
    },
    forget(provider, object, externalId) {
      byKey.delete(keyOf(provider, object, externalId));
    },
    entries: () => [...byKey.values()],
    clear: () => byKey.clear(),
    toCsv() {
      const lines = ['provider,object,externalId,truthId'];
      for (const e of byKey.values()) lines.push([e.provider, e.object, e.externalId, e.truthId].map(csvField).join(','));
      return lines.join('\n') + '\n';
    },
  };
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
