// A PostgreSQL restart must not need a portal restart: the server ends every
// pooled connection, the portal notices at the first failed statement and
// reopens its connections, so at most the one request that met the lost
// connection fails. Runs against a PostgreSQL of its own (restarting the one
// `make test` shares would disturb other tests). SQLite has no server to
// restart: the test is registered for PostgreSQL only and skipped on SQLite.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, backend, startServer, waitFor } from '../support/server.mjs';

const onPostgres = backend.startsWith('postgres');
const script = path.join(root, 'scripts', 'throwaway-postgres.sh');

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  }).on('error', reject);
});

const pg = (...args) => execFileSync(script, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

async function enqueue(server, key) {
  const res = await fetch(server.url + '/test/jobs', { method: 'POST', body: JSON.stringify({ key }) });
  return { status: res.status, body: res.status === 201 ? await res.json() : (await res.text()).slice(0, 200) };
}

describe('database restart', { skip: onPostgres ? false : 'PostgreSQL only: SQLite has no server to restart' }, () => {
  let dir, server;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'uslugi-pg-restart-'));  // the script hands it to the postgres user
    const url = pg('start', dir, String(await freePort()));
    server = await startServer(['--job-poll-ms', '50'], { database: { url, drop: () => {} } });
  });

  after(async () => {
    if (server) await server.stop();
    if (dir) pg('stop', dir);
  });

  test('the portal answers again after PostgreSQL restarts, without a restart of its own', async () => {
    const first = await enqueue(server, 'before-restart');
    assert.equal(first.status, 201, String(first.body));
    const pid = server.child.pid;

    pg('restart', dir);

    const statuses = [];
    const ok = await waitFor(async () => {
      const r = await enqueue(server, 'after-restart');
      statuses.push(r.status);
      return r;
    }, (r) => r.status === 201, { timeoutMs: 15000, what: 'a successful request after the restart' });
    assert.ok(statuses.length <= 2, `only the request that met the lost connection may fail: ${statuses}`);
    assert.notEqual(ok.body.ids[0], first.body.ids[0]);
    // The in-process workers poll through the same pool: they recover too.
    await waitFor(async () => (await fetch(`${server.url}/test/jobs/${ok.body.ids[0]}`)).json(),
      (j) => j.state === 'done', { timeoutMs: 15000, what: 'the job enqueued after the restart to be done' });

    const again = await fetch(`${server.url}/test/jobs/${first.body.ids[0]}`);
    assert.equal(again.status, 200, 'what was written before the restart is read after it');
    assert.equal((await fetch(server.url + '/healthz')).status, 200);
    assert.equal(server.child.pid, pid);
    assert.equal(server.child.exitCode, null, 'the same portal process kept serving');
  });
});
