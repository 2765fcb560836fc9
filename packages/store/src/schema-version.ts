// The store's schema version (SQLite's `user_version`): what this code writes and reads.

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 5;
