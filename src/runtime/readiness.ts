/** One backend check: resolves when the backend answers, throws (or times out) when not. */
export type ReadinessProbe = () => Promise<unknown>;

export interface ReadinessReport {
  readonly ready: boolean;
  /** Per backend: `ok`, or why it failed (a short message, never a secret). */
  readonly backends: Readonly<Record<string, string>>;
}

/**
 * Readiness: every backend the process depends on answers within `timeoutMs`.
 * Liveness (`/health`) deliberately checks nothing: a process that is alive but whose
 * store is down should be taken out of rotation, not restarted.
 */
export class Readiness {
  readonly #probes: Readonly<Record<string, ReadinessProbe>>;
  readonly #timeoutMs: number;

  constructor(probes: Record<string, ReadinessProbe>, timeoutMs = 2_000) {
    this.#probes = probes;
    this.#timeoutMs = timeoutMs;
  }

  async check(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      Object.entries(this.#probes).map(async ([name, probe]) => [name, await this.#run(probe)] as const),
    );
    return { ready: entries.every(([, status]) => status === 'ok'), backends: Object.fromEntries(entries) };
  }

  async #run(probe: ReadinessProbe): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${this.#timeoutMs} ms`), this.#timeoutMs);
    });
    try {
      return await Promise.race([
        probe().then(
          () => 'ok',
          (error: unknown) => (error instanceof Error ? error.message : 'failed'),
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
