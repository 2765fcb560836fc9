// The sampler register() gives the SDK it starts: the one OTEL_TRACES_SAMPLER names, with what it
// drops still recorded (not sampled) when the local store keeps every run.
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, createAlwaysRecordSampler } from '@opentelemetry/sdk-trace';
import type { Sampler } from '@opentelemetry/sdk-trace';

/** The ratio of `OTEL_TRACES_SAMPLER_ARG`: a number in [0, 1], else 1 (as the specification says). */
function ratioOf(text: string | undefined): number {
  const ratio = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
}

/**
 * The sampler the environment names (the specification's six standard values), or `undefined`
 * for none or another value (the SDK then applies its own reading of the environment).
 */
export function samplerFromEnv(env: Readonly<Record<string, string | undefined>>): Sampler | undefined {
  const name = env['OTEL_TRACES_SAMPLER']?.trim().toLowerCase();
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratioOf(env['OTEL_TRACES_SAMPLER_ARG']));
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioOf(env['OTEL_TRACES_SAMPLER_ARG'])) });
    case undefined:
    default:
      return undefined;
  }
}

/**
 * The SDK's sampler when the local store keeps every run: the environment's (else the SDK's
 * default, parent-based always-on), with a dropped span recorded but not sampled — so the store
 * sees it, while exporters skip it and the propagated sampled flag is the sampler's.
 * `undefined` when the environment names a sampler this does not know (the SDK's own handling applies).
 */
export function storeKeepingSampler(env: Readonly<Record<string, string | undefined>>): Sampler | undefined {
  const named = env['OTEL_TRACES_SAMPLER']?.trim();
  const sampler = samplerFromEnv(env);
  if (named !== undefined && named !== '' && sampler === undefined) return undefined;
  return createAlwaysRecordSampler(sampler ?? defaultSampler());
}

/** The SDK's default sampler: parent-based, always on at the root. */
export function defaultSampler(): Sampler {
  return new ParentBasedSampler({ root: new AlwaysOnSampler() });
}
