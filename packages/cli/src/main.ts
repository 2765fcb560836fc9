// The runtrace command line: parses the command and dispatches to it; maps failures to exit codes.
import { readFileSync } from 'node:fs';
import { RuntraceError } from '@runtrace/core';
import { errorMessage } from '@runtrace/core/internal';
import type { CliIo } from './cli-io.js';
import { ExitCodes } from './exit-codes.js';
import { NotFoundError, UsageError } from './internal/cli-errors.js';
import type { CommandContext } from './internal/command-context.js';
import { COLLECT_HELP, collectCommand } from './internal/commands/collect-command.js';
import { DOCTOR_HELP, doctorCommand } from './internal/commands/doctor-command.js';
import { EXPORT_HELP, exportCommand } from './internal/commands/export-command.js';
import { PRUNE_HELP, pruneCommand } from './internal/commands/prune-command.js';
import { RUNS_HELP, runsCommand } from './internal/commands/runs-command.js';
import { SHOW_HELP, showCommand } from './internal/commands/show-command.js';
import { STATS_HELP, statsCommand } from './internal/commands/stats-command.js';
import { SWEEP_HELP, sweepCommand } from './internal/commands/sweep-command.js';
import { UI_HELP, uiCommand } from './internal/commands/ui-command.js';
import { closestIds } from './internal/closest-ids.js';
import { readCliEnv } from './internal/cli-env.js';
import { colorsWanted, createStyle } from './internal/style.js';

type Command = (context: CommandContext) => number | Promise<number>;

const COMMANDS: Readonly<Record<string, { readonly run: Command; readonly help: string; readonly summary: string }>> = {
  runs: { run: runsCommand, help: RUNS_HELP, summary: 'list runs (filters as flags)' },
  show: { run: showCommand, help: SHOW_HELP, summary: 'one run as a waterfall of steps, attempts and tool calls' },
  stats: { run: statsCommand, help: STATS_HELP, summary: 'overview and analytics, drawn as bars' },
  ui: { run: uiCommand, help: UI_HELP, summary: 'the web viewer: runs, waterfalls and stats, live, on 127.0.0.1' },
  collect: { run: collectCommand, help: COLLECT_HELP, summary: 'receive OTLP/HTTP traces into the store' },
  sweep: { run: sweepCommand, help: SWEEP_HELP, summary: 'finalize runs left in progress by a dead process' },
  prune: { run: pruneCommand, help: PRUNE_HELP, summary: 'delete old runs by age or size' },
  export: { run: exportCommand, help: EXPORT_HELP, summary: 'every run with everything under it, as JSON' },
  doctor: { run: doctorCommand, help: DOCTOR_HELP, summary: 'check the database, the OTLP endpoint and the settings; say what to fix' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return `runtrace — what your LLM application actually did, from the local store

usage: runtrace <command> [flags]

commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  .join('\n')}

every command takes --db <file|url> (a SQLite file, default ./.runtrace/runtrace.db, or
RUNTRACE_DB; or a postgres:// URL) and --help; every read command takes --json.

exit codes: 0 ok, 1 error (doctor: a check failed), 2 usage, 3 not found (database file or run id)
`;
}

function version(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function defaultIo(partial: Partial<CliIo>): CliIo {
  return {
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
    env: partial.env ?? process.env,
    cwd: partial.cwd ?? process.cwd(),
    now: partial.now ?? Date.now,
    ...(partial.signal === undefined ? {} : { signal: partial.signal }),
  };
}

/**
 * Runs the command line with the given arguments (without `node` and the script) and resolves
 * to the exit code: 0 ok, 1 error, 2 usage, 3 not found. Output goes to `io.stdout` and
 * `io.stderr`; colours only when stdout is a terminal and `NO_COLOR` is unset.
 *
 * @example
 * const chunks: string[] = [];
 * const code = await main(['runs', '--db', 'runtrace.db', '--json'], {
 *   stdout: { write: (text) => chunks.push(text) },
 * });
 */
export async function main(args: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const resolved = defaultIo(io);
  const { noColor } = readCliEnv(resolved.env);
  const style = createStyle(colorsWanted(resolved.stdout.isTTY, noColor));
  const errStyle = createStyle(colorsWanted(resolved.stderr.isTTY, noColor));
  const out = (text: string): void => {
    resolved.stdout.write(text);
  };
  const err = (text: string): void => {
    resolved.stderr.write(text);
  };
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS[topic];
    out(command?.help ?? usage());
    return topic !== undefined && command === undefined ? ExitCodes.USAGE : name === undefined ? ExitCodes.USAGE : ExitCodes.OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    out(`${version()}\n`);
    return ExitCodes.OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    const suggestion = closestIds(name, Object.keys(COMMANDS), 1)[0];
    err(`runtrace: unknown command ${JSON.stringify(name)}${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}\nrun \`runtrace --help\` for the list\n`);
    return ExitCodes.USAGE;
  }
  try {
    return await command.run({ args: rest, io: resolved, style, out, err });
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      err(`runtrace ${name}: ${error.message}\nrun \`runtrace ${name} --help\` for its flags\n`);
      return ExitCodes.USAGE;
    }
    if (error instanceof NotFoundError) {
      err(`${errStyle.red('runtrace:')} ${error.message}\n`);
      return ExitCodes.NOT_FOUND;
    }
    const message = error instanceof RuntraceError ? `${error.message} (${error.code})` : errorMessage(error);
    err(`${errStyle.red('runtrace:')} ${message}\n`);
    return ExitCodes.ERROR;
  }
}
