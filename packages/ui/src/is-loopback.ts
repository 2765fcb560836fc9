// Whether the viewer would listen on this machine only.

/** Whether an address is this machine's loopback (the only place the viewer listens by default). */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
