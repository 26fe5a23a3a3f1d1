import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this file lives in libs/testing/src). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** The profile the e2e suites run on: its own ports and data, beside a developer's `make up`. */
export const E2E_PROFILE = process.env['ORDERMESH_PROFILE'] ?? 'test';

const CLI = path.join(REPO_ROOT, 'tools/platform/bin/ordermesh.mjs');

/**
 * Runs the local platform's CLI (`npx ordermesh …`) on the e2e profile. The CLI needs Node 24,
 * which the Makefile puts first on PATH; the bin shim re-executes itself with it otherwise.
 */
export async function ordermesh(...args: string[]): Promise<string> {
  return (await ordermeshOutput(...args)).stdout;
}

/**
 * The same, with both streams: the CLI reports progress ("✔ order stopped (1.2s)", "killed after
 * the stop timeout") on stderr. A failed call rejects with an error that carries both too.
 */
export function ordermeshOutput(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args, '--profile', E2E_PROFILE], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
    env: process.env,
  });
}

/**
 * The same, synchronously, with the CLI's progress on this process' stderr: global set-up and
 * teardown (which import this file by its path: jest gives them no @ordermesh/* aliases).
 */
export function ordermeshSync(...args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args, '--profile', E2E_PROFILE], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export async function ordermeshJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await ordermesh(...args, '--json')) as T;
}

/** SIGKILLs a component (service or infrastructure) — chaos and recovery tests. */
export const killComponent = (name: string) => ordermesh('kill', name);
export const stopComponent = (name: string) => ordermesh('stop', name);
export const startComponent = (name: string) => ordermesh('start', name);
