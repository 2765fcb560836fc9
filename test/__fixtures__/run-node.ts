// Runs `node <args>` in a child process from the repository's root (where the workspace's
// packages resolve, as in an application that installed them), collecting what it prints; a
// child that hangs is killed after `timeoutMs`, which the caller sees as a failed exit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** How a child process ended. */
export interface NodeExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `Date.now()` when it exited. */
  readonly exitedAt: number;
}

/** Runs `node` with `args`; `env` is laid over this process's environment. */
export function runNode(args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs = 30_000): Promise<NodeExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      const exitedAt = Date.now();
      clearTimeout(guard);
      resolve({ code, stdout, stderr, exitedAt });
    });
  });
}
