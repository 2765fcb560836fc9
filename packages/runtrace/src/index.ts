// Public entry point of runtrace.
export { register } from './register.js';
export type { Runtrace, RegistrationMode } from './register.js';
export { createRuntrace, DEFAULT_STORE_PATH } from './create-runtrace.js';
export type { RuntracePipeline } from './create-runtrace.js';
export { createIngestPipeline } from './create-ingest-pipeline.js';
export type { IngestPipeline, IngestPipelineOptions } from './create-ingest-pipeline.js';
export type { RegisterOptions, CreateRuntraceOptions, OtlpOptions } from './runtrace-options.js';
export type { RuntraceStats, OtlpExportStats } from './runtrace-stats.js';
export { loadConfig, parseOtlpHeaders, DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_OTLP_TIMEOUT_MS } from './load-config.js';
export type { RuntraceEnvConfig, OtlpEnvConfig, OtlpProtocol, OtlpTlsFiles, EnvFile, ConfigProblem, LoadConfigOptions } from './load-config.js';
// What apps use from the instrumentation, so `runtrace` alone is enough to install.
export { Recorder, Run, Step, ToolCall, installFetchInstrumentation, createRecordingInterceptor, runtraceMiddleware } from '@runtrace/instrumentation';
export type {
  RecorderOptions,
  RunParams,
  StepParams,
  ToolCallParams,
  EndOptions,
  StepEndOptions,
  ToolCallEndOptions,
  WrapStreamOptions,
  Message,
  MessagePart,
  NormalizedRequest,
  NormalizedResponse,
  StreamChunkInfo,
  InstallFetchInstrumentationOptions,
  RecordingInterceptorOptions,
  RuntraceMiddlewareOptions,
} from '@runtrace/instrumentation';
