// Public entry point of @runtrace/instrumentation.
export { Recorder, createRecorder } from './recorder.js';
export type { RecorderOptions } from './recorder.js';
export type { BodiesPolicy } from './bodies-policy.js';
export type { RecorderClock } from './recorder-clock.js';
export { Run } from './run.js';
export type { RunUpdate } from './run.js';
export type { RunParams } from './run-params.js';
export { Step } from './step.js';
export type { WrapStreamOptions } from './step.js';
export { ToolCall } from './tool-call.js';
export type { StepParams, EndOptions, StepEndOptions, ToolCallParams, ToolCallEndOptions } from './step-params.js';
export type {
  Message,
  MessagePart,
  ToolDefinition,
  RequestOptions,
  NormalizedRequest,
  NormalizedResponse,
} from './gen-ai-types.js';
export { inspectChunk } from './stream-chunk-info.js';
export type { StreamChunkInfo } from './stream-chunk-info.js';
export { createRecordingInterceptor } from './recording-interceptor.js';
export type { RecordingInterceptorOptions } from './recording-interceptor.js';
export { installFetchInstrumentation } from './install-fetch-instrumentation.js';
export type { InstallFetchInstrumentationOptions } from './install-fetch-instrumentation.js';
export { runtraceMiddleware } from './runtrace-middleware.js';
export type {
  RuntraceMiddlewareOptions,
  RuntraceLanguageModelMiddleware,
  AiSdkModelLike,
  AiSdkCallOptionsLike,
  AiSdkGenerateResultLike,
  AiSdkStreamResultLike,
} from './runtrace-middleware.js';
export type { InstrumentationRedactor, RedactionOutcome, BodyRedactionOutcome } from './instrumentation-redactor.js';
