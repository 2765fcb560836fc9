// The redactor used when RecorderOptions.redactor is not given: @runtrace/core's default rules.
import { defaultRedactor } from '@runtrace/core';
import type { InstrumentationRedactor } from '../instrumentation-redactor.js';

export const defaultInstrumentationRedactor: InstrumentationRedactor = defaultRedactor;
