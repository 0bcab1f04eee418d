/**
 * An error the control API (and simulators) turn into an HTTP answer with `statusCode`:
 * thrown by RecordControl methods for unknown objects (404) or bad fields (400).
 */
export class SandboxHttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'SandboxHttpError';
    this.statusCode = statusCode;
  }
}

/** The status to answer for an error thrown by simulator code: its `statusCode`, else 400. */
export function statusOf(error: unknown, fallback = 400): number {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : fallback;
}
