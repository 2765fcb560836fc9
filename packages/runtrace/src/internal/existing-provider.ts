// Finds a tracer provider that the application registered before runtrace.
import { trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

interface ProxyLike {
  getDelegate(): TracerProvider;
  getDelegateTracer(name: string): unknown;
}

function isProxy(provider: TracerProvider): provider is TracerProvider & ProxyLike {
  const candidate = provider as Partial<ProxyLike>;
  return typeof candidate.getDelegate === 'function' && typeof candidate.getDelegateTracer === 'function';
}

/** The registered global tracer provider, or `undefined` while only the no-op proxy is there. */
export function registeredTracerProvider(): TracerProvider | undefined {
  const global = trace.getTracerProvider();
  if (!isProxy(global)) return global;
  // The proxy hands out a delegate tracer only once a real provider was set.
  return global.getDelegateTracer('runtrace-probe') === undefined ? undefined : global.getDelegate();
}

/** A provider that accepts more span processors after construction (SDK 1.x style). */
export interface ProcessorAcceptingProvider {
  addSpanProcessor(processor: SpanProcessor): void;
}

/** Whether the provider lets runtrace add its processor. */
export function acceptsProcessors(provider: TracerProvider): provider is TracerProvider & ProcessorAcceptingProvider {
  return typeof (provider as Partial<ProcessorAcceptingProvider>).addSpanProcessor === 'function';
}
