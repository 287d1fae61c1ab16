#!/usr/bin/env node
// The `overread` command. Runs the TypeScript sources through tsx so the CLI, the server and the tests
// exercise the very same code; a packaged Electron build runs the compiled dist/ instead.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
