// Keys under which the active run and step travel in the OpenTelemetry context.
import { context, createContextKey } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { RunState, StepState } from './recorder-core.js';

export const RUN_KEY = createContextKey('runtrace.instrumentation.run');
export const STEP_KEY = createContextKey('runtrace.instrumentation.step');

/** The run active in a context (default: the current one). */
export function activeRunState(ctx: Context = context.active()): RunState | undefined {
  return ctx.getValue(RUN_KEY) as RunState | undefined;
}

/** The step active in a context (default: the current one). */
export function activeStepState(ctx: Context = context.active()): StepState | undefined {
  return ctx.getValue(STEP_KEY) as StepState | undefined;
}
