/**
 * Slack's Web API error answers: HTTP 200 with `{"ok":false,"error":"<code>"}` (plus
 * `needed`/`provided` for `missing_scope`), except rate limiting, which is HTTP 429 with
 * `Retry-After`. Method handlers throw `SlackApiError`; web-api.ts turns it into the reply.
 */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
    readonly httpStatus = 200,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
  }

  body(): Record<string, unknown> {
    return { ok: false, error: this.code, ...this.extra };
  }
}
