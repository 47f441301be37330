#!/usr/bin/env node
import { runCli } from './program.js';

// `nnrt inspect MODEL | head -1`: the reader went away; stop quietly instead of a stack trace
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
