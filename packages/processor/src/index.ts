// Public entry point of @runtrace/processor.
export const PACKAGE_NAME = '@runtrace/processor';
