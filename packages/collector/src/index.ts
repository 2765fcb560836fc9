// Public entry point of @runtrace/collector.
export { Collector, startCollector } from './collector.js';
export { OtlpExchange } from './otlp-exchange.js';
export type { OtlpRequest, OtlpAnswer } from './otlp-exchange.js';
export type {
  CollectorOptions,
  OtlpExchangeOptions,
  CollectorProcessor,
  CollectorAddress,
  CollectorStats,
  CollectorEvent,
  CollectorRequestEvent,
  SpanSink,
} from './collector-options.js';
export { decodeOtlpProtobuf, OTLP_PROTOBUF_CONTENT_TYPE } from './decode-otlp-protobuf.js';
export { decodeOtlpJson, OTLP_JSON_CONTENT_TYPE } from './decode-otlp-json.js';
export type { OtlpDecodeResult, OtlpDecodeSuccess, OtlpDecodeFailure, OtlpDecodeOptions } from './otlp-decode-result.js';
export type { OtlpEncoding } from './otlp-decode-result.js';
