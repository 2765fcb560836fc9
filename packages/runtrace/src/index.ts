// Public entry point of runtrace.
export { register } from './register.js';
export type { Runtrace, RegistrationMode } from './register.js';
export { createRuntrace, DEFAULT_STORE_PATH } from './create-runtrace.js';
export type { RuntracePipeline } from './create-runtrace.js';
export type { RegisterOptions, CreateRuntraceOptions, OtlpOptions } from './runtrace-options.js';
export { loadConfig, parseOtlpHeaders } from './load-config.js';
export type { RuntraceEnvConfig, OtlpEnvConfig, OtlpProtocol } from './load-config.js';
