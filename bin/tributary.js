#!/usr/bin/env node
// The package's bin. The source is TypeScript run through tsx's loader, so a fresh
// `npm ci` needs no build step and the CLI always runs the code that is checked out.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/runtime/cli/main.ts');
await main(process.argv);
