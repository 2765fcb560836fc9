// Public entry point of @runtrace/instrumentation.
export const PACKAGE_NAME = '@runtrace/instrumentation';
