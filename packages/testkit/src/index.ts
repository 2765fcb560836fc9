// Public entry point of @runtrace/testkit.
export const PACKAGE_NAME = '@runtrace/testkit';
