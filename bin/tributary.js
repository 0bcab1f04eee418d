#!/usr/bin/env -S node --v8-pool-size=0
// --v8-pool-size=0: V8's helper threads sized to the machine's cores (one on 2 cores)
// instead of a fixed four that take turns with the pull loop. The young generation is
// V8's default (16 MB semi-spaces): twice that saved ~0.5 s of minor collections per
// 100,000 pulled contacts but held ~35 MB more RSS (docs/runtime.md). The same flags
// are in `npm start`, bench:ingest and the Azure Functions host's arguments
// (test/runtime-flags.test.ts).
// The package's bin. The source is TypeScript run through tsx's loader, so a fresh
// `npm ci` needs no build step and the CLI always runs the code that is checked out.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/runtime/cli/main.ts');
await main(process.argv);
