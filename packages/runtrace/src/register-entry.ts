// `node --import runtrace/register app.js`: registers runtrace from environment variables, with shutdown hooks.
import { isMainThread } from 'node:worker_threads';
import { errorMessage } from '@runtrace/core/internal';
import { register } from './register.js';

// Worker threads inherit `--import`: only the main thread records (a worker registering too
// would start its own SDK and store writer, and keep the process from exiting).
if (isMainThread) {
  try {
    // Store, OTLP and configuration problems are reported by register() itself, which carries on without what failed.
    register({ shutdownHooks: true });
  } catch (error: unknown) {
    // Only a defect gets here; the application must still run.
    process.emitWarning(`runtrace is not recording: ${errorMessage(error)}`, { code: 'RUNTRACE_REGISTER_FAILED' });
  }
}
