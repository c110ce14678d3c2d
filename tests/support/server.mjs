// Starts a real `uslugi serve` for a test on a free port, on SQLite (a fresh
// file) or PostgreSQL (a fresh schema in the server `make test` started),
// chosen by USLUGI_TEST_DATABASE ("sqlite" or a postgresql:// URL).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binary = process.env.USLUGI_BINARY || path.join(root, 'build', 'uslugi');
export const backend = process.env.USLUGI_TEST_DATABASE || 'sqlite';
// The operator token test servers get unless a test passes its own
// --ops-token (or opsToken: null for none): /metrics and /ops/* answer only to it.
export const opsToken = 'test-ops-' + randomBytes(16).toString('hex');
const opsTokens = new Map();  // server URL → its operator token

function psql(url, sql) {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// A fresh, empty database for one server.
export function freshDatabase() {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-it-'));
    return { url: `sqlite://${dir}/uslugi.db`, drop: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = 's_' + randomBytes(6).toString('hex');
  psql(backend, `CREATE SCHEMA ${schema}`);
  const sep = backend.includes('?') ? '&' : '?';
  return {
    url: `${backend}${sep}options=-csearch_path%3D${schema}`,
    drop: () => psql(backend, `DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

// The stop() of a process spawnUntil started: SIGTERM once (not to a process
// that has ended), then, after `cleanup`, what it exited with. Calling it again
// only waits.
export function stopper(child, exited, cleanup = () => {}) {
  let stopped = false;
  return async () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const result = await exited;
    cleanup();
    return result;
  };
}

// Spawns `uslugi ARGS` and resolves once its standard output matches
// `pattern`, with the match; rejects if it exits first. `log()` is its stderr.
export async function spawnUntil(args, pattern, { env = {}, onEarlyExit = () => {} } = {}) {
  const child = spawn(binary, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const match = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) resolve(m);
    });
    exited.then(({ code }) => {
      onEarlyExit();
      reject(new Error(`uslugi ${args[0]} exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  return { child, exited, match, log: () => stderr };
}

// Resolves once the server prints its address; `stop()` sends SIGTERM and
// resolves with the exit code. `log()` is everything it wrote to stderr.
// Pass `database` (from freshDatabase()) to share one database between
// several processes or restarts; the caller then drops it. `seed` loads the demo catalog.
// `server.opsToken` is the operator token it runs with (null: none).
export async function startServer(extraArgs = [], { env = {}, portFlag = true, database = null, seed = false, opsToken: token = opsToken } = {}) {
  const db = database ? { ...database, drop: () => {} } : freshDatabase();
  if (seed) {
    const result = await runCli(['seed', '--database', db.url], { env });
    if (result.code !== 0) throw new Error('uslugi seed failed:\n' + result.stderr);
  }
  const own = extraArgs.indexOf('--ops-token');
  if (own >= 0) token = extraArgs[own + 1];
  const args = ['serve', ...(portFlag ? ['--port', '0'] : []), '--database', db.url, '--test-routes',
    ...(own < 0 && token ? ['--ops-token', token] : []), ...extraArgs];
  const { child, exited, match, log } = await spawnUntil(args, /listening on (http:\/\/[^\s]+)/, { env });
  const url = match[1];
  if (token) opsTokens.set(url, token);
  return {
    url,
    port: Number(new URL(url).port),
    opsToken: token || null,
    child,
    exited,
    log,
    stop: stopper(child, exited, () => db.drop()),
  };
}

// Starts `uslugi worker` (background jobs only, with the test job kind) on
// an existing database; resolves once it reports that it started. `stop()`
// sends SIGTERM; `kill()` sends SIGKILL; both resolve with { code, signal }.
export async function startWorker(database, extraArgs = [], { env = {} } = {}) {
  const args = ['worker', '--database', database.url, '--test-routes', ...extraArgs];
  const { child, exited, match, log } = await spawnUntil(args, /uslugi worker (\S+) started/, { env });
  const owner = match[1];
  const signal = async (name) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return { child, owner, exited, log, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

// Polls `probe()` (async) until `predicate(value)` holds; resolves with the
// value. For waiting on state changes without fixed sleeps.
export async function waitFor(probe, predicate, { timeoutMs = 15000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value:\n${JSON.stringify(last, null, 1)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Runs the CLI to completion: { code, stdout, stderr }.
export function runCli(args, { env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { cwd: root, env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// GET /metrics of a server started by startServer, with its operator token.
export function fetchMetrics(url) {
  return fetch(url + '/metrics', { headers: { Authorization: `Bearer ${opsTokens.get(url) ?? opsToken}` } });
}

// Polls /metrics until `predicate(text)` holds; /metrics runs on the I/O
// thread, so it answers even when every worker is busy.
export async function waitForMetrics(url, predicate, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetchMetrics(url);
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    const text = await res.text();
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error('metrics never reached the expected state:\n' + text);
    await new Promise((r) => setImmediate(r));
  }
}

export function metricValue(text, name) {
  const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}
