// What stats() of register() and createRuntrace() returns: every counter of the pipeline in one snapshot.
import type { DiagnosticReporterStats } from '@runtrace/core';
import type { RunSpanProcessorStats } from '@runtrace/processor';
import type { PostgresSpanExporterStats, SqliteSpanExporterStats } from '@runtrace/store';

/** Outcomes of OTLP export. */
export interface OtlpExportStats {
  /** The traces URL. */
  readonly endpoint: string;
  /** Spans the backend accepted. */
  readonly exportedSpans: number;
  /** Spans in exports that failed after their retries, that the backend rejected, or that shutdown cut off. */
  readonly failedSpans: number;
  /** Spans dropped because the export queue was full (the backend did not keep up). */
  readonly droppedSpans: number;
  /** Spans waiting in the export queue or in a request in flight. */
  readonly queuedSpans: number;
}

/** A snapshot of runtrace's counters. */
export interface RuntraceStats {
  /** The RunSpanProcessor's counters (in flight, swept, redacted, per destination). */
  readonly processor: RunSpanProcessorStats;
  /** The store's writes (written, queued, dropped, failed; for PostgreSQL also retries and outages); `undefined` when there is no store. */
  readonly store: SqliteSpanExporterStats | PostgresSpanExporterStats | undefined;
  /** OTLP export outcomes; `undefined` when OTLP export is off. */
  readonly otlp: OtlpExportStats | undefined;
  /** Problems reported (by cause), lines written to stderr, and occurrences held back by rate limiting or `quiet`. */
  readonly reports: DiagnosticReporterStats;
}
