/**
 * The signed-in key, held in sessionStorage only: it lives as long as the tab, is never
 * written to localStorage or a cookie, and signing out removes it.
 */
const KEY = 'tributary.apiKey';

export interface KeyStore {
  read(): string | null;
  write(key: string): void;
  clear(): void;
}

export function sessionKeyStore(storage: Storage = sessionStorage): KeyStore {
  return {
    read: () => storage.getItem(KEY),
    write: (key) => storage.setItem(KEY, key),
    clear: () => storage.removeItem(KEY),
  };
}
