// Where the local store is: a file path, never a URL. One rule for the store, register() and the CLI.

/** Where the local store lives when nothing says otherwise, relative to the working directory. */
export const DEFAULT_STORE_PATH = './.runtrace/runtrace.db';

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * The scheme (lower case) when a store location is a URL (\`postgres://…\`), else \`undefined\`: the
 * store is a file, and a URL must be refused, not resolved as a path.
 *
 * @example
 * storeUrlScheme('postgres://db/traces'); // 'postgres'
 * storeUrlScheme('./.runtrace/runtrace.db'); // undefined
 */
export function storeUrlScheme(location: string): string | undefined {
  return URL_SCHEME.exec(location)?.[1]?.toLowerCase();
}

/**
 * A URL with the password of its userinfo masked, for messages.
 *
 * @example
 * maskUrlPassword('postgres://app:s3cret@db/traces'); // 'postgres://app:***@db/traces'
 */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
}
