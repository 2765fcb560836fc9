#!/usr/bin/env node
// Launcher for the runtrace command line (the compiled program lives in dist/).
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv.slice(2));
