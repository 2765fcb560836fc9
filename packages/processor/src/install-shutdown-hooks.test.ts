import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ShutdownHookProcess } from './install-shutdown-hooks.js';
import { installShutdownHooks } from './install-shutdown-hooks.js';

class FakeProcess extends EventEmitter implements ShutdownHookProcess {
  readonly pid = 4242;
  readonly kills: (string | undefined)[] = [];

  kill(_pid: number, signal?: string): boolean {
    this.kills.push(signal);
    return true;
  }
}

function target() {
  let calls = 0;
  let release: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    get calls() {
      return calls;
    },
    release,
    shutdown(): Promise<void> {
      calls += 1;
      return done;
    },
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('installShutdownHooks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('installs nothing until called, then shuts down once on beforeExit and SIGTERM and re-raises the signal', async () => {
    const proc = new FakeProcess();
    const t = target();
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    const uninstall = installShutdownHooks(t, { process: proc });
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    expect(proc.listenerCount('beforeExit')).toBe(1);
    proc.emit('beforeExit');
    proc.emit('SIGTERM');
    await flush();
    expect(t.calls).toBe(1);
    expect(proc.kills).toEqual([]);
    t.release();
    await flush();
    expect(proc.kills).toEqual(['SIGTERM']);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    uninstall();
    expect(proc.listenerCount('beforeExit')).toBe(0);
  });

  it('does not re-raise a signal that someone else also handles, and reports a timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const proc = new FakeProcess();
    const errors: unknown[] = [];
    proc.on('SIGINT', () => {});
    installShutdownHooks(target(), { process: proc, signals: ['SIGINT'], beforeExit: false, timeoutMs: 5, onError: (e) => errors.push(e) });
    expect(proc.listenerCount('beforeExit')).toBe(0);
    proc.emit('SIGINT');
    await vi.advanceTimersByTimeAsync(4);
    expect(errors).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('within 5 ms of SIGINT');
    expect(proc.kills).toEqual([]);
  });
});
