// The OpenTelemetry SDK that register() starts. For traces alone (runtrace's default) it sets the
// trace SDK up directly, exactly as NodeSDK does for traces; NodeSDK itself, which also brings
// metrics, logs, every OTLP exporter and gRPC, is loaded only when something asks for more than
// traces (with the OTLP serializers also loaded on demand, register() starts with 336 modules
// instead of 741, and 8.7 instead of 14.0 MiB of live heap).
import { DiagConsoleLogger, context, diag, propagation, trace } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
  diagLogLevelFromString,
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
} from '@opentelemetry/core';
import { defaultResource, detectResources, envDetector, hostDetector, osDetector, processDetector, resourceFromAttributes, serviceInstanceIdDetector } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type * as NodeSdkModule from '@opentelemetry/sdk-node';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { Sampler, SpanLimits, SpanProcessor } from '@opentelemetry/sdk-trace';
import { loadEsm } from './load-esm.js';

/** What register() asks of the SDK. */
export interface TraceSdkConfiguration {
  readonly spanProcessors: SpanProcessor[];
  readonly instrumentations: NonNullable<NodeSDKConfiguration['instrumentations']>;
  /** `OTEL_METRICS_EXPORTER` is set: metrics are configured from the environment. */
  readonly metricsFromEnv: boolean;
  /** `OTEL_LOGS_EXPORTER` is set: logs are configured from the environment. */
  readonly logsFromEnv: boolean;
  readonly serviceName?: string;
  /** Replaces the default resource (detected attributes still merge over it). */
  readonly resource?: Resource;
  readonly sampler?: Sampler;
}

/** A started SDK. */
export interface StartedSdk {
  /** `traces`: the trace SDK alone; `node-sdk`: OpenTelemetry's NodeSDK. */
  readonly kind: 'traces' | 'node-sdk';
  shutdown(): Promise<void>;
}

/** Propagator names of `OTEL_PROPAGATORS` the trace SDK sets up itself. */
const W3C_PROPAGATORS = new Set(['tracecontext', 'baggage', 'none']);

/**
 * Why NodeSDK is needed, or `undefined` when traces alone are asked for. NodeSDK reads the
 * process's environment (not runtrace's `env` option), so this does too.
 */
export function nodeSdkReason(configuration: TraceSdkConfiguration): string | undefined {
  if (configuration.instrumentations.flat().length > 0) return 'instrumentations';
  if (configuration.metricsFromEnv) return 'OTEL_METRICS_EXPORTER';
  if (configuration.logsFromEnv) return 'OTEL_LOGS_EXPORTER';
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return 'OTEL_SDK_DISABLED';
  if (getStringFromEnv('OTEL_NODE_RESOURCE_DETECTORS') !== undefined) return 'OTEL_NODE_RESOURCE_DETECTORS';
  if ((getStringListFromEnv('OTEL_PROPAGATORS') ?? []).some((name) => !W3C_PROPAGATORS.has(name))) return 'OTEL_PROPAGATORS';
  return undefined;
}

/** Starts the SDK: the trace SDK alone unless {@link nodeSdkReason} names a reason for NodeSDK. */
export function startTraceSdk(configuration: TraceSdkConfiguration): StartedSdk {
  const reason = nodeSdkReason(configuration);
  return reason === undefined ? startTracesOnly(configuration) : startNodeSdk(configuration, reason);
}

function startNodeSdk(configuration: TraceSdkConfiguration, reason: string): StartedSdk {
  // Loaded on demand, so an app that asks for traces alone never pays for it.
  let NodeSDK: typeof NodeSdkModule.NodeSDK;
  try {
    ({ NodeSDK } = loadEsm<typeof NodeSdkModule>('@opentelemetry/sdk-node'));
  } catch (error: unknown) {
    throw new Error(`${reason} asks for OpenTelemetry's NodeSDK, which could not be loaded (${error instanceof Error ? error.message : String(error)}): reinstall runtrace's dependencies`, { cause: error });
  }
  const sdk = new NodeSDK({
    spanProcessors: configuration.spanProcessors,
    instrumentations: configuration.instrumentations,
    // Traces only: metrics and logs stay off unless their exporters are configured in the environment.
    ...(configuration.metricsFromEnv ? {} : { metricReaders: [] }),
    ...(configuration.logsFromEnv ? {} : { logRecordProcessors: [] }),
    ...(configuration.serviceName === undefined ? {} : { serviceName: configuration.serviceName }),
    ...(configuration.resource === undefined ? {} : { resource: configuration.resource }),
    ...(configuration.sampler === undefined ? {} : { sampler: configuration.sampler }),
  });
  sdk.start();
  return { kind: 'node-sdk', shutdown: () => sdk.shutdown() };
}

/** NodeSDK's start() for traces, step by step, with the same environment variables. */
function startTracesOnly(configuration: TraceSdkConfiguration): StartedSdk {
  const logLevel = getStringFromEnv('OTEL_LOG_LEVEL');
  if (logLevel !== undefined) {
    const level = diagLogLevelFromString(logLevel);
    diag.setLogger(new DiagConsoleLogger(), level === undefined ? {} : { logLevel: level });
  }
  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  const propagator = propagatorFromEnv();
  if (propagator !== undefined) propagation.setGlobalPropagator(propagator);
  let resource = (configuration.resource ?? defaultResource()).merge(
    detectResources({ detectors: [serviceInstanceIdDetector, processDetector, hostDetector, osDetector, envDetector] }),
  );
  if (configuration.serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': configuration.serviceName }));
  const provider = new TracerProvider({
    // None given: the process's environment named none the SDK knows, and its default applies.
    ...(configuration.sampler === undefined ? {} : { sampler: configuration.sampler }),
    spanLimits: spanLimitsFromEnv(),
    resource,
    spanProcessors: configuration.spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);
  return { kind: 'traces', shutdown: () => provider.shutdown() };
}

/** W3C trace context and baggage unless `OTEL_PROPAGATORS` names some (`none`: no propagator). */
function propagatorFromEnv(): TextMapPropagator | undefined {
  const names = getStringListFromEnv('OTEL_PROPAGATORS');
  if (names === undefined) return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  if (names.includes('none')) return undefined;
  const propagators = [...new Set(names)].map((name) => (name === 'baggage' ? new W3CBaggagePropagator() : new W3CTraceContextPropagator()));
  if (propagators.length === 0) return undefined;
  return propagators.length === 1 ? propagators[0] : new CompositePropagator({ propagators });
}

/** The span limits the environment sets, as NodeSDK reads them (the first variable set wins); the others keep the SDK's defaults. */
function spanLimitsFromEnv(): SpanLimits {
  const variables: Record<keyof SpanLimits, readonly string[]> = {
    attributeCountLimit: ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'],
    attributeValueLengthLimit: ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
    eventCountLimit: ['OTEL_SPAN_EVENT_COUNT_LIMIT'],
    linkCountLimit: ['OTEL_SPAN_LINK_COUNT_LIMIT'],
    attributePerEventCountLimit: ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'],
    attributePerLinkCountLimit: ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'],
  };
  const limits: { -readonly [K in keyof SpanLimits]: number } = {};
  for (const [limit, names] of Object.entries(variables) as [keyof SpanLimits, readonly string[]][]) {
    for (const name of names) {
      const value = getNumberFromEnv(name);
      if (value === undefined) continue;
      limits[limit] = value;
      break;
    }
  }
  return limits;
}
