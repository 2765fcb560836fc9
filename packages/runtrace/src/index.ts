// Public entry point of runtrace.
export const PACKAGE_NAME = 'runtrace';
