// Loads a dependency's ES module build synchronously, on first use: a package an app may never
// need (NodeSDK, the OTLP serializers) then costs nothing at start, and once loaded it shares its
// dependencies' module instances with runtrace's own imports (a CommonJS build would load second
// copies of them).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const requireHere = createRequire(import.meta.url);

/** The module `specifier` names, resolved from runtrace's package as `import` would resolve it. */
export function loadEsm<T>(specifier: string): T {
  return requireHere(fileURLToPath(import.meta.resolve(specifier))) as T;
}
