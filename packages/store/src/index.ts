// Public entry point of @runtrace/store.
export const PACKAGE_NAME = '@runtrace/store';
