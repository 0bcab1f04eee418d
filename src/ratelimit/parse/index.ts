import type { RateLimitObservation } from '../types.ts';
import { parseGithub } from './github.ts';
import { parseGoogle } from './google.ts';
import type { HeaderSource } from './headers.ts';
import { defined, retryAfter } from './headers.ts';
import { parseNotion } from './notion.ts';
import { parseSalesforce } from './salesforce.ts';
import { parseSlack } from './slack.ts';

export type { HeaderSource } from './headers.ts';
export { GITHUB_SECONDARY_MIN_WAIT_MS, parseGithub } from './github.ts';
export { parseGoogle } from './google.ts';
export { parseNotion } from './notion.ts';
export { parseSalesforce } from './salesforce.ts';
export { parseSlack } from './slack.ts';

/** A pure parser of one provider's answers. */
export type ObservationParser = (status: number, headers: HeaderSource, body: unknown) => RateLimitObservation;

const PARSERS: Readonly<Record<string, ObservationParser>> = {
  github: parseGithub,
  salesforce: parseSalesforce,
  slack: parseSlack,
  notion: parseNotion,
  google: parseGoogle,
};

/** Any provider's answer: its own parser, or for an unknown provider just 429 and Retry-After. */
export function parseObservation(provider: string, status: number, headers: HeaderSource, body: unknown): RateLimitObservation {
  const parser = PARSERS[provider];
  if (parser !== undefined) return parser(status, headers, body);
  const limited = status === 429;
  return defined({ provider, status, limited, ...(limited ? retryAfter(headers) : {}), serverError: status >= 500 });
}
