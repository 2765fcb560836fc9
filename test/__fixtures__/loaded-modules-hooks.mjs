// Loaded with --import before anything else: records every module the process loads (import and
// require alike), so an application can say which packages its setup pulled in.
import { registerHooks } from 'node:module';

const loaded = new Set();
globalThis.runtraceLoadedModules = loaded;
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
