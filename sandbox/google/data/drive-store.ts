import type { GoogleIds } from '../ids.ts';

export interface FileRecord {
  id: string;
  name: string;
  mimeType: string;
  trashed: boolean;
  /** Permanently deleted: shows up in changes as `removed: true`, gone from files. */
  deleted: boolean;
  parents: string[];
  createdAt: number;
  modifiedAt: number;
  version: number;
  size: number | null;
}

export interface ChangeRecord {
  /** Position in the change log: page tokens are these numbers. */
  seq: number;
  fileId: string;
  at: number;
}

/** A file in Drive v3's full shape (callers apply the `fields` mask). */
export function fileJson(file: FileRecord, owner: { email: string; name: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: 'drive#file',
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    starred: false,
    trashed: file.trashed,
    explicitlyTrashed: file.trashed,
    parents: file.parents,
    version: String(file.version),
    webViewLink: `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`,
    createdTime: new Date(file.createdAt).toISOString(),
    modifiedTime: new Date(file.modifiedAt).toISOString(),
    owners: [{ kind: 'drive#user', displayName: owner.name, emailAddress: owner.email, me: true, permissionId: '00000000000000000000' }],
    ownedByMe: true,
  };
  if (file.size !== null) out.size = String(file.size);
  return out;
}

/**
 * The user's Drive: files plus the change log (`changes.list`). Every create, edit,
 * trash, untrash and permanent delete appends a change; page tokens are positions in it.
 */
export class DriveStore {
  readonly files = new Map<string, FileRecord>();
  readonly changes: ChangeRecord[] = [];
  private readonly listeners: ((change: ChangeRecord) => void)[] = [];

  constructor(
    public ids: GoogleIds,
    private readonly now: () => number,
  ) {}

  reset(ids: GoogleIds): void {
    this.ids = ids;
    this.files.clear();
    this.changes.length = 0;
  }

  onChange(listener: (change: ChangeRecord) => void): void {
    this.listeners.push(listener);
  }

  /** The page token a client gets from `changes.getStartPageToken` now. */
  get nextSeq(): number {
    return this.changes.length + 1;
  }

  create(fields: Pick<FileRecord, 'name' | 'mimeType' | 'size'> & { parents?: string[] }, options: { at?: number; silent?: boolean } = {}): FileRecord {
    const at = options.at ?? this.now();
    const file: FileRecord = {
      id: this.ids.fileId(),
      name: fields.name,
      mimeType: fields.mimeType,
      size: fields.size,
      parents: fields.parents ?? ['0AExampleRootFolderUk9PVA'],
      trashed: false,
      deleted: false,
      createdAt: at,
      modifiedAt: at,
      version: 1,
    };
    this.files.set(file.id, file);
    if (!options.silent) this.record(file, at);
    return file;
  }

  update(file: FileRecord, fields: Partial<Pick<FileRecord, 'name' | 'mimeType' | 'size' | 'trashed'>>): FileRecord {
    Object.assign(file, fields);
    const at = Math.max(this.now(), file.modifiedAt + 1);
    file.modifiedAt = at;
    file.version++;
    this.record(file, at);
    return file;
  }

  /** Deletes permanently (not trash): later changes show `removed: true`. */
  remove(file: FileRecord): void {
    file.deleted = true;
    this.record(file, this.now());
  }

  private record(file: FileRecord, at: number): void {
    const change = { seq: this.changes.length + 1, fileId: file.id, at };
    this.changes.push(change);
    for (const listener of this.listeners) listener(change);
  }
}
