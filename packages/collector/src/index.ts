// Public entry point of @runtrace/collector.
export const PACKAGE_NAME = '@runtrace/collector';
