#!/usr/bin/env -S node --max-semi-space-size=32 --v8-pool-size=0
// --max-semi-space-size=32: a young generation twice V8's default (16 MB semi-spaces).
// A pull page's records and their mapped entities live across a few minor collections;
// with the default they were copied into the old generation and collected there again
// (bench:ingest, 100,000 contacts: ~200 minor and 34 full collections; with 32 MB ~120
// and 27, and about 8 % more records/s). --v8-pool-size=0: V8's helper threads sized to
// the machine's cores (one on 2 cores) instead of a fixed four that take turns with the
// pull loop. The same flags are in `npm start`, bench:ingest and the Azure Functions
// host's arguments (docs/runtime.md; test/runtime-flags.test.ts).
// The package's bin. The source is TypeScript run through tsx's loader, so a fresh
// `npm ci` needs no build step and the CLI always runs the code that is checked out.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/runtime/cli/main.ts');
await main(process.argv);
