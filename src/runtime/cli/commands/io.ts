/** What the commands print to and read from; the real process's in `main`, plain functions in tests. */
export interface CliIo {
  /** Results meant for scripts (a created key). */
  stdout(text: string): void;
  /** Messages meant for people (banners, hints, errors). */
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}
