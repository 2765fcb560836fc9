// runtrace's error classes: one base with a stable code, one subclass per kind of failure.

/** Stable error codes; match on these, not on messages. */
export const ErrorCodes = {
  RUN_FINALIZED: 'RUNTRACE_RUN_FINALIZED',
  RUN_NOT_FOUND: 'RUNTRACE_RUN_NOT_FOUND',
  INVALID_ARGUMENT: 'RUNTRACE_INVALID_ARGUMENT',
  STORE_WRITE_FAILED: 'RUNTRACE_STORE_WRITE_FAILED',
  STORE_SCHEMA: 'RUNTRACE_STORE_SCHEMA',
  OTLP_DECODE_FAILED: 'RUNTRACE_OTLP_DECODE_FAILED',
  CONFIG_INVALID: 'RUNTRACE_CONFIG_INVALID',
  SHUT_DOWN: 'RUNTRACE_SHUT_DOWN',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Options accepted by every runtrace error. */
export interface RuntraceErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/**
 * Base class of every error runtrace throws or reports.
 *
 * @example
 * try { run.step(...) } catch (error) {
 *   if (error instanceof RuntraceError && error.code === 'RUNTRACE_RUN_FINALIZED') { ... }
 * }
 */
export class RuntraceError extends Error {
  /** A stable code, `RUNTRACE_…`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: RuntraceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A step or update was attempted on a run (or step) that is already terminal.
 *
 * @example
 * if (error instanceof RunFinalizedError) console.warn(`late step for run ${error.runId}`);
 */
export class RunFinalizedError extends RuntraceError {
  readonly runId: string;

  constructor(runId: string, options: RuntraceErrorOptions = {}) {
    super(ErrorCodes.RUN_FINALIZED, `run ${runId} is already finalized`, options);
    this.runId = runId;
  }
}

/**
 * A run (or a step of it) that runtrace does not know, or that belongs to another run.
 *
 * @example
 * throw new RunNotFoundError('00f067aa0ba902b7'); // message: 'run 00f067aa0ba902b7 not found'
 */
export class RunNotFoundError extends RuntraceError {
  readonly runId: string;

  constructor(runId: string, detail?: string, options: RuntraceErrorOptions = {}) {
    super(ErrorCodes.RUN_NOT_FOUND, `run ${runId} not found${detail === undefined ? '' : `: ${detail}`}`, options);
    this.runId = runId;
  }
}

/**
 * A function or constructor got an argument it cannot use.
 *
 * @example
 * throw new InvalidArgumentError('maxBytes', -1, 'a non-negative integer'); // 'invalid maxBytes: -1 (a non-negative integer)'
 */
export class InvalidArgumentError extends RuntraceError {
  /** The parameter's name, as documented (for example `staleAfter` or `filter.status`). */
  readonly parameter: string;
  /** The value that was given. */
  readonly value: unknown;

  constructor(parameter: string, value: unknown, expectation: string, options: RuntraceErrorOptions = {}) {
    super(ErrorCodes.INVALID_ARGUMENT, `invalid ${parameter}: ${describeValue(value)} (${expectation})`, options);
    this.parameter = parameter;
    this.value = value;
  }
}

/**
 * Writing to the local store failed (disk full, locked, closed).
 *
 * @example
 * throw new StoreWriteError('database is locked', '/tmp/runtrace.db', { cause: error });
 */
export class StoreWriteError extends RuntraceError {
  /** The database file, when known. */
  readonly path: string | undefined;

  constructor(message: string, path?: string, options: RuntraceErrorOptions = {}) {
    super(ErrorCodes.STORE_WRITE_FAILED, message, options);
    this.path = path;
  }
}

/**
 * The store's schema cannot be used by this version of the code (for example, it is newer).
 *
 * @example
 * throw new StoreSchemaError('/tmp/runtrace.db', 7, 5);
 */
export class StoreSchemaError extends RuntraceError {
  readonly path: string;
  readonly foundVersion: number;
  readonly supportedVersion: number;

  constructor(path: string, foundVersion: number, supportedVersion: number, options: RuntraceErrorOptions = {}) {
    super(
      ErrorCodes.STORE_SCHEMA,
      `store ${path} has schema version ${foundVersion}, newer than the ${supportedVersion} this version of runtrace knows; upgrade runtrace to open it`,
      options,
    );
    this.path = path;
    this.foundVersion = foundVersion;
    this.supportedVersion = supportedVersion;
  }
}

/**
 * An OTLP payload could not be decoded.
 *
 * @example
 * return { ok: false, error: new OtlpDecodeError('application/x-protobuf', 'index out of range') };
 */
export class OtlpDecodeError extends RuntraceError {
  /** The content type the payload claimed. */
  readonly contentType: string;

  constructor(contentType: string, message: string, options: RuntraceErrorOptions = {}) {
    super(ErrorCodes.OTLP_DECODE_FAILED, `cannot decode ${contentType} OTLP payload: ${message}`, options);
    this.contentType = contentType;
  }
}

/**
 * A configuration file or object is invalid; names the source and the field.
 *
 * @example
 * throw new ConfigError('./prices.json', 'models.my-model.output', 'must be a number'); // './prices.json: models.my-model.output: must be a number'
 */
export class ConfigError extends RuntraceError {
  /** Where the configuration came from (a file path, or `options`). */
  readonly source: string;
  /** The offending field, as a dotted path. */
  readonly field: string;

  constructor(source: string, field: string, problem: string, options: RuntraceErrorOptions = {}) {
    super(ErrorCodes.CONFIG_INVALID, `${source}: ${field}: ${problem}`, options);
    this.source = source;
    this.field = field;
  }
}

/**
 * A component was used after `shutdown()`.
 *
 * @example
 * throw new ShutDownError('SqliteSpanExporter'); // 'SqliteSpanExporter is shut down'
 */
export class ShutDownError extends RuntraceError {
  readonly component: string;

  constructor(component: string, options: RuntraceErrorOptions = {}) {
    super(ErrorCodes.SHUT_DOWN, `${component} is shut down`, options);
    this.component = component;
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The message of anything thrown: an Error's message, anything else as text. For messages that
 * name a cause (`cannot open the store …: ${errorMessage(error)}`).
 *
 * @example
 * try { JSON.parse(text); } catch (error: unknown) { console.error(`bad JSON: ${errorMessage(error)}`); }
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
