import type { SandboxContext } from '../core/types.ts';
import type { NotionStore } from './data/store.ts';
import type { CursorBook } from './query/cursors.ts';

/** What the Notion routes share: the sandbox services, the workspace and the cursor book. */
export interface NotionDeps {
  ctx: SandboxContext;
  store: NotionStore;
  cursors: CursorBook;
}

export type Body = Record<string, unknown>;

/** The JSON body of a request as an object (an absent body reads as `{}`). */
export function bodyOf(raw: unknown): Body {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Body) : {};
}
