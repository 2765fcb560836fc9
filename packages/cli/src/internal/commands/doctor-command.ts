// `runtrace doctor`: checks the database, the OTLP endpoint and the settings, and says what to fix.
import { maskUrlPassword, storeUrlScheme } from '@runtrace/core/internal';
import { SCHEMA_VERSION } from '@runtrace/store';
import { ExitCodes } from '../../exit-codes.js';
import { checkDatabase } from '../check-database.js';
import { checkPostgresDatabase } from '../check-postgres.js';
import { checkOtlpEndpoint } from '../check-otlp-endpoint.js';
import { readCliEnv } from '../cli-env.js';
import { DB_OPTIONS, databasePath, parseCommandArgs, writeJson } from '../command-context.js';
import type { CommandContext } from '../command-context.js';
import { describeConfiguration } from '../describe-configuration.js';
import type { ShownSetting } from '../describe-configuration.js';
import { check } from '../doctor-check.js';
import type { CheckStatus, DoctorCheck } from '../doctor-check.js';
import { parseDuration } from '../parse-values.js';
import type { Style } from '../style.js';

export const DOCTOR_HELP = `runtrace doctor [flags]

Checks what runtrace needs and says what to fix: the database file (there? SQLite?
runtrace's schema, and a version this runtrace reads? PRAGMA integrity_check? writable?),
the OTLP endpoint of the environment (one empty export request; any HTTP answer counts as
reachable), and every RUNTRACE_* and OTEL_EXPORTER_OTLP_* variable. Prints the configuration
runtrace would use here, with header values masked. Never changes the database.

Exits 1 when a check fails; warnings (no database yet, an older schema, an endpoint that
answers 401 or 503) do not.

  --timeout <d>          how long the OTLP check waits (default 2s)
  --db <file|url>        the store: a SQLite file (default ./.runtrace/runtrace.db, or
                         RUNTRACE_DB) or a postgres:// URL
  --json                 print { ok, configuration, checks } as JSON
`;

const SYMBOLS: Readonly<Record<CheckStatus, string>> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

function mark(status: CheckStatus, style: Style): string {
  const symbol = SYMBOLS[status];
  switch (status) {
    case 'ok':
      return style.green(symbol);
    case 'warn':
      return style.yellow(symbol);
    case 'fail':
      return style.red(symbol);
    case 'skip':
      return style.dim(symbol);
    default: {
      const unexpected: never = status;
      return unexpected;
    }
  }
}

function formatReport(configuration: Record<string, ShownSetting>, checks: readonly DoctorCheck[], style: Style): string {
  const lines: string[] = [style.bold('configuration'), style.dim('  (from the environment; options passed in code are not visible here)')];
  const settingWidth = Math.max(...Object.keys(configuration).map((name) => name.length));
  for (const [name, shown] of Object.entries(configuration)) lines.push(`  ${name.padEnd(settingWidth)}  ${shown.value}  ${style.dim(`(${shown.source})`)}`);
  lines.push('', style.bold('checks'));
  const nameWidth = Math.max(...checks.map((entry) => entry.name.length));
  for (const entry of checks) {
    lines.push(`  ${mark(entry.status, style)} ${entry.name.padEnd(nameWidth)}  ${entry.summary}`);
    if (entry.fix !== undefined) lines.push(`    ${' '.repeat(nameWidth)}  → ${entry.fix}`);
  }
  const failed = checks.filter((entry) => entry.status === 'fail').length;
  const warned = checks.filter((entry) => entry.status === 'warn').length;
  const verdict =
    failed > 0
      ? style.red(`${failed} problem${failed === 1 ? '' : 's'} to fix`)
      : style.green(warned > 0 ? 'no problems' : 'all good');
  lines.push('', `${verdict}${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `runtrace doctor`. */
export async function doctorCommand(context: CommandContext): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...context.args],
    options: { ...DB_OPTIONS, timeout: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.out(DOCTOR_HELP);
    return ExitCodes.OK;
  }
  const timeoutMs = values.timeout === undefined ? 2_000 : Math.max(1, Math.round(parseDuration('timeout', values.timeout)));
  const path = databasePath(context.io, values.db);
  const source = values.db !== undefined ? '--db' : readCliEnv(context.io.env).db !== undefined ? 'RUNTRACE_DB' : 'default';
  // Loaded here, not with the CLI: runtrace brings the OpenTelemetry SDK, which no other command needs.
  const { loadConfig, DEFAULT_OTLP_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS } = await import('runtrace');
  // The same reading of the environment as the application's register(): unusable values are listed, not thrown.
  const config = loadConfig(context.io.env);

  const checks: DoctorCheck[] = config.problems.map((problem) =>
    check(`setting ${problem.variable}`, 'fail', `${problem.problem}; runtrace ignores it and uses ${problem.fallback}`, `fix or unset ${problem.variable}`),
  );
  const scheme = storeUrlScheme(path);
  checks.push(...(scheme === 'postgres' || scheme === 'postgresql' ? await checkPostgresDatabase(path, timeoutMs) : checkDatabase(path, SCHEMA_VERSION)));
  checks.push(...(await checkOtlpEndpoint(config.otlp, timeoutMs)));

  const configuration = describeConfiguration(config, { path: maskUrlPassword(path), source }, { shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS, otlpTimeoutMs: DEFAULT_OTLP_TIMEOUT_MS });
  const ok = !checks.some((entry) => entry.status === 'fail');
  if (values.json) writeJson(context, { ok, configuration, checks });
  else context.out(formatReport(configuration, checks, context.style));
  return ok ? ExitCodes.OK : ExitCodes.ERROR;
}
