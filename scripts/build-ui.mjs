#!/usr/bin/env node
// Builds the admin UI (ui/) into ui/dist with Vite. Run by `npm ci` / `npm install` through
// the root package's `prepare` script, so `npm start` serves a UI built from the checked-out
// sources. `--if-stale`: build only when ui/dist is missing or older than any UI source file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const uiDir = fileURLToPath(new URL('../ui/', import.meta.url));
const indexFile = join(uiDir, 'dist', 'index.html');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(indexFile) && statSync(indexFile).mtimeMs >= newestSource(uiDir)) {
  process.exit(0);
}

let vite;
try {
  vite = await import('vite');
} catch {
  // A production install without devDependencies: nothing to build with; a built ui/dist may ship.
  console.error('build-ui: vite is not installed; skipping the admin UI build');
  process.exit(0);
}
const started = Date.now();
await vite.build({ configFile: join(uiDir, 'vite.config.ts'), root: uiDir, logLevel: 'warn' });
console.error(`build-ui: admin UI built into ui/dist in ${Date.now() - started} ms`);
