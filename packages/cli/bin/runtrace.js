#!/usr/bin/env node
// Launcher for the runtrace command line (the compiled program lives in dist/).
import { main } from '../dist/index.js';

// A reader that went away (`runtrace export | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
