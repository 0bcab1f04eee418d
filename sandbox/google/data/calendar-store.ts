import type { GoogleIds } from '../ids.ts';

export interface EventTime {
  dateTime?: string;
  date?: string;
  timeZone?: string;
}

export interface Attendee {
  email: string;
  displayName?: string;
  responseStatus: 'needsAction' | 'declined' | 'tentative' | 'accepted';
  organizer?: boolean;
  self?: boolean;
}

/** The writable fields of an event. */
export interface EventFields {
  summary?: string;
  description?: string;
  location?: string;
  start: EventTime;
  end: EventTime;
  attendees: Attendee[];
}

export interface EventRecord extends EventFields {
  id: string;
  calendarId: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  etag: string;
  order: number;
  seq: number;
  createdAt: number;
  updatedAt: number;
  /** iCalendar SEQUENCE: grows when the time changes. */
  sequence: number;
}

/** An event in Calendar's shape; cancelled events show only what Google keeps of them. */
export function eventJson(event: EventRecord, ownerEmail: string): Record<string, unknown> {
  if (event.status === 'cancelled') {
    return { kind: 'calendar#event', etag: event.etag, id: event.id, status: 'cancelled', updated: new Date(event.updatedAt).toISOString() };
  }
  const out: Record<string, unknown> = {
    kind: 'calendar#event',
    etag: event.etag,
    id: event.id,
    status: event.status,
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${event.id} ${ownerEmail}`).toString('base64url')}`,
    created: new Date(event.createdAt).toISOString(),
    updated: new Date(event.updatedAt).toISOString(),
    creator: { email: ownerEmail, self: true },
    organizer: { email: ownerEmail, self: true },
    start: event.start,
    end: event.end,
    iCalUID: `${event.id}@google.com`,
    sequence: event.sequence,
    reminders: { useDefault: true },
    eventType: 'default',
  };
  if (event.summary !== undefined) out.summary = event.summary;
  if (event.description !== undefined) out.description = event.description;
  if (event.location !== undefined) out.location = event.location;
  if (event.attendees.length > 0) out.attendees = event.attendees;
  return out;
}

/**
 * The user's primary calendar, with a change sequence like the People store: inserts,
 * updates and deletes (which cancel, keeping the event) each take the next `seq`.
 */
export class CalendarStore {
  readonly events = new Map<string, EventRecord>();
  private seqCounter = 0;
  private orderCounter = 0;
  private etagCounter = 0;
  private readonly listeners: ((event: EventRecord) => void)[] = [];

  constructor(
    public ids: GoogleIds,
    private readonly now: () => number,
  ) {}

  reset(ids: GoogleIds): void {
    this.ids = ids;
    this.events.clear();
    this.seqCounter = 0;
    this.orderCounter = 0;
    this.etagCounter = 0;
  }

  onChange(listener: (event: EventRecord) => void): void {
    this.listeners.push(listener);
  }

  get seq(): number {
    return this.seqCounter;
  }

  private etag(at: number): string {
    return `"${at * 1000 + (++this.etagCounter % 1000)}"`;
  }

  insert(calendarId: string, fields: EventFields, options: { id?: string; at?: number; silent?: boolean } = {}): EventRecord {
    const at = options.at ?? this.now();
    const event: EventRecord = {
      ...fields,
      id: options.id ?? this.ids.eventId(),
      calendarId,
      status: 'confirmed',
      etag: this.etag(at),
      order: ++this.orderCounter,
      seq: ++this.seqCounter,
      createdAt: at,
      updatedAt: at,
      sequence: 0,
    };
    this.events.set(event.id, event);
    if (!options.silent) this.emit(event);
    return event;
  }

  update(event: EventRecord, fields: Partial<EventFields>): EventRecord {
    const timeChanged = (fields.start && JSON.stringify(fields.start) !== JSON.stringify(event.start)) || (fields.end && JSON.stringify(fields.end) !== JSON.stringify(event.end));
    Object.assign(event, fields);
    if (event.status === 'cancelled') event.status = 'confirmed';
    if (timeChanged) event.sequence++;
    this.touch(event);
    return event;
  }

  cancel(event: EventRecord): void {
    event.status = 'cancelled';
    this.touch(event);
  }

  /** A calendar's events (cancelled ones too) in creation order (the map keeps insertion order). */
  eventsOf(calendarId: string): EventRecord[] {
    return [...this.events.values()].filter((e) => e.calendarId === calendarId);
  }

  private touch(event: EventRecord): void {
    const at = Math.max(this.now(), event.updatedAt + 1);
    event.updatedAt = at;
    event.etag = this.etag(at);
    event.seq = ++this.seqCounter;
    this.emit(event);
  }

  private emit(event: EventRecord): void {
    for (const listener of this.listeners) listener(event);
  }
}
