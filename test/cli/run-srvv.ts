import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The built command (`npm test` builds first), run as a user runs it. */
export const CLI = resolve('bin/srvv.js');

/** Runs `srvv args...` to completion with optional extra environment and standard input. */
export function srvv(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
