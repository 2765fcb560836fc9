// The one place the command line reads environment variables (from the injected io).

/** What the command line takes from the environment. */
export interface CliEnv {
  /** `RUNTRACE_DB`: the store file when `--db` is not given. */
  readonly db: string | undefined;
  /** `RUNTRACE_COLLECTOR_TOKEN`: the bearer token `collect` requires when `--token` is not given. */
  readonly collectorToken: string | undefined;
  /** `NO_COLOR` set to anything but the empty string: never colour. */
  readonly noColor: boolean;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Reads {@link CliEnv} from environment variables. */
export function readCliEnv(env: Readonly<Record<string, string | undefined>>): CliEnv {
  return {
    db: nonEmpty(env.RUNTRACE_DB),
    collectorToken: nonEmpty(env.RUNTRACE_COLLECTOR_TOKEN),
    noColor: nonEmpty(env.NO_COLOR) !== undefined,
  };
}
