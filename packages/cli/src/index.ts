// Public entry point of @runtrace/cli.
export { main } from './main.js';
export { ExitCodes } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
export type { CliIo, CliOutput } from './cli-io.js';
