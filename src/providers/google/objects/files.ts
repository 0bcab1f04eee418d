/**
 * Drive file metadata (read-only). A full sync takes `changes.getStartPageToken` first
 * (so that changes made during the listing are not lost), then walks `files.list`
 * (`trashed = false`); its final cursor is `{changesToken: <that start token>}`.
 * Incremental runs walk `changes.list` from `changesToken`: each page's `nextPageToken`
 * becomes the cursor, the last page's `newStartPageToken` ends the run. A change with
 * `removed: true` (deleted, or access lost) or a trashed file is a deletion.
 */
import type { ChangePage, Cursor, ExternalRecord, ObjectDefinition } from '../../provider.ts';
import { DRIVE_API, googleCall } from '../client.ts';
import { isGoogleGone } from '../errors.ts';

/** The file metadata we read (Drive answers only `id,name,mimeType` without a mask). */
export const FILE_FIELDS = 'id,name,mimeType,trashed,parents,version,createdTime,modifiedTime,size,webViewLink,owners';

export interface DriveCursor extends Cursor {
  /** Full sync in progress: the files.list page token and the change token to continue from. */
  listPageToken?: string;
  startPageToken?: string;
  /** Incremental: where changes.list continues. */
  changesToken?: string;
}

type DriveFile = Record<string, unknown> & { id: string; trashed?: boolean; version?: string; modifiedTime?: string };
type DriveChange = { fileId?: string; removed?: boolean; time?: string; changeType?: string; file?: DriveFile };

export function fileRecord(file: DriveFile): ExternalRecord {
  return { id: file.id, version: file.version ?? null, modifiedAt: file.modifiedTime ?? null, data: file };
}

export const filesObject: ObjectDefinition = {
  name: 'files',
  label: 'Drive files',
  capabilities: { incremental: true, deletions: 'tombstones', create: false, update: false, delete: false, batch: false, webhooks: true, precondition: 'none' },

  async readPage(ctx, cursor, options): Promise<ChangePage> {
    const state = (cursor ?? {}) as DriveCursor;
    const pageSize = Math.min(options.pageSize ?? 1000, 1000);
    const page: ChangePage = { records: [], deletions: [], cursor: {}, done: false };

    if (state.changesToken) {
      const answer = await googleCall<{ changes?: DriveChange[]; nextPageToken?: string; newStartPageToken?: string }>(ctx, {
        method: 'GET',
        path: `${DRIVE_API}changes`,
        query: {
          pageToken: state.changesToken,
          pageSize,
          includeRemoved: true,
          fields: `nextPageToken,newStartPageToken,changes(changeType,time,removed,fileId,file(${FILE_FIELDS}))`,
        },
        operation: 'read',
      });
      for (const change of answer.changes ?? []) {
        if (change.changeType !== undefined && change.changeType !== 'file') continue;
        const id = change.fileId ?? change.file?.id;
        if (!id) continue;
        if (change.removed === true || !change.file || change.file.trashed === true) page.deletions.push({ id, deletedAt: change.time ?? null });
        else page.records.push(fileRecord(change.file));
      }
      if (answer.nextPageToken) {
        page.cursor = { changesToken: answer.nextPageToken } satisfies DriveCursor;
        return page;
      }
      page.cursor = { changesToken: answer.newStartPageToken ?? state.changesToken } satisfies DriveCursor;
      page.done = true;
      return page;
    }

    const startPageToken =
      state.startPageToken ??
      (await googleCall<{ startPageToken?: string }>(ctx, { method: 'GET', path: `${DRIVE_API}changes/startPageToken`, operation: 'read' })).startPageToken;
    const answer = await googleCall<{ files?: DriveFile[]; nextPageToken?: string }>(ctx, {
      method: 'GET',
      path: `${DRIVE_API}files`,
      query: { q: 'trashed = false', pageSize, pageToken: state.listPageToken, fields: `nextPageToken,files(${FILE_FIELDS})` },
      operation: 'read',
    });
    page.records = (answer.files ?? []).map(fileRecord);
    if (answer.nextPageToken) {
      page.cursor = { listPageToken: answer.nextPageToken, startPageToken } satisfies DriveCursor;
      return page;
    }
    page.cursor = startPageToken ? ({ changesToken: startPageToken } satisfies DriveCursor) : {};
    page.done = true;
    return page;
  },

  async fetchOne(ctx, id) {
    try {
      const file = await googleCall<DriveFile>(ctx, { method: 'GET', path: `${DRIVE_API}files/${encodeURIComponent(id)}`, query: { fields: FILE_FIELDS }, operation: 'read' });
      return file.trashed === true ? null : fileRecord(file);
    } catch (error) {
      if (isGoogleGone(error)) return null;
      throw error;
    }
  },
};
