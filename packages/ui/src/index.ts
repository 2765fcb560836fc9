// Public entry point of @runtrace/ui.
export { startUi } from './start-ui.js';
export type { UiOptions, UiServer } from './start-ui.js';
export { isLoopback } from './is-loopback.js';
