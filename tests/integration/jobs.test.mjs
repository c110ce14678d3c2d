// Durable jobs against real processes: `uslugi serve` and `uslugi worker`
// sharing one database (SQLite file or PostgreSQL schema). The test job kind
// (serve/worker --test-routes) records every execution, so "done exactly
// once" is checked in the database, not guessed from timing. State changes
// are awaited by polling the API, never by fixed sleeps.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer as start, startWorker as startWorkerOf, freshDatabase, waitFor, waitForMetrics, runCli } from '../support/server.mjs';

// These tests count every job of the database: the portal's own daily chain
// (payments' look-up of fines) is left to no process here.
const quiet = '--fines-sweep-hour=-1';
const startServer = (args = [], options) => start([quiet, ...args], options);
const startWorker = (db, args = []) => startWorkerOf(db, [quiet, ...args]);
import { csrfToken, csrfCookie, noRedirect } from '../support/http.mjs';

const fast = ['--job-poll-ms', '50'];

async function enqueue(server, body) {
  const res = await fetch(server.url + '/test/jobs', { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}
const job = async (server, id) => (await fetch(`${server.url}/test/jobs/${id}`)).json();
const allJobs = async (server) => (await fetch(server.url + '/test/jobs')).json();
const waitForJob = (server, id, predicate, what) => waitFor(() => job(server, id), predicate, { what });

describe('durable jobs', () => {
  test('enqueueing with the same key is a no-op that returns the same job', async () => {
    const server = await startServer(['--no-workers']);
    try {
      const first = await enqueue(server, { key: 'application-1-submitted' });
      const again = await enqueue(server, { key: 'application-1-submitted', sleep_ms: 5 });
      assert.deepEqual(first.created, [true]);
      assert.deepEqual(again.created, [false]);
      assert.deepEqual(again.ids, first.ids);
      const other = await enqueue(server, { key: 'application-2-submitted' });
      assert.notEqual(other.ids[0], first.ids[0]);
      const all = await allJobs(server);
      assert.equal(all.counts.queued, 2, 'no workers: the jobs wait in the queue');
    } finally {
      await server.stop();
    }
  });

  test('a worker killed with SIGKILL mid-job: the job is taken again after the lease and done once', async () => {
    const db = freshDatabase();
    const server = await startServer(['--no-workers'], { database: db });
    const lease = ['--job-lease', '2', ...fast];
    let second;
    try {
      const first = await startWorker(db, lease);
      // Sleeps only on its first attempt, so the second one finishes at once.
      const { ids: [id] } = await enqueue(server, { key: 'kill-me', sleep_ms: 60000, sleep_attempts: 1 });
      const running = await waitForJob(server, id, (j) => j.state === 'running', 'the first worker to take the job');
      assert.equal(running.attempts, 1);
      assert.ok(running.lease_owner.startsWith(first.owner), running.lease_owner);

      const killed = await first.kill();
      assert.equal(killed.signal, 'SIGKILL');
      const orphan = await job(server, id);
      assert.equal(orphan.state, 'running', 'the dead worker still holds the lease');
      assert.equal(orphan.runs, 0);

      second = await startWorker(db, lease);
      const done = await waitForJob(server, id, (j) => j.state === 'done', 'the second worker to finish the job');
      assert.equal(done.attempts, 2);
      assert.equal(done.runs, 1, 'done exactly once');
      assert.equal(done.failures, 0);
      assert.equal(done.owners.length, 1);
      assert.ok(done.owners[0].startsWith(second.owner), `run by the second worker: ${done.owners}`);
      const stopped = await second.stop();
      assert.deepEqual(stopped, { code: 0, signal: null }, 'SIGTERM: exit 0 ' + second.log());
      assert.match(second.log(), /job runner \S+ stopped/);
    } finally {
      if (second) await second.kill();
      await server.stop();
      db.drop();
    }
  });

  test('serve killed with SIGKILL mid-job: the restarted server finishes the job once', async () => {
    const db = freshDatabase();
    const args = ['--job-lease', '2', ...fast];
    let server = await startServer(args, { database: db });
    try {
      const { ids: [id] } = await enqueue(server, { sleep_ms: 60000, sleep_attempts: 1 });
      await waitForJob(server, id, (j) => j.state === 'running', 'the in-process worker to take the job');
      server.child.kill('SIGKILL');
      assert.equal((await server.exited).signal, 'SIGKILL');
      await server.stop();
      server = await startServer(args, { database: db });
      const done = await waitForJob(server, id, (j) => j.state === 'done', 'the restarted server to finish the job');
      assert.equal(done.runs, 1);
      assert.equal(done.attempts, 2);
    } finally {
      await server.stop();
      db.drop();
    }
  });

  test('two worker processes share 50 jobs and every job runs exactly once', async () => {
    const db = freshDatabase();
    const server = await startServer(['--no-workers'], { database: db });
    const workers = [];
    try {
      for (let i = 0; i < 2; i++) workers.push(await startWorker(db, ['--job-workers', '2', ...fast]));
      const { ids } = await enqueue(server, { count: 50, sleep_ms: 20 });
      assert.equal(ids.length, 50);
      const all = await waitFor(() => allJobs(server), (a) => a.counts.done === 50,
        { what: 'all 50 jobs to be done', timeoutMs: 30000 });
      assert.equal(all.jobs.length, 50);
      for (const j of all.jobs) {
        assert.equal(j.runs, 1, `job ${j.id} ran ${j.runs} times`);
        assert.equal(j.failures, 0);
        assert.equal(j.attempts, 1, `job ${j.id} was taken ${j.attempts} times`);
      }
      const byWorker = workers.map((w) => all.jobs.filter((j) => j.owners[0].startsWith(w.owner + '#')).length);
      assert.equal(byWorker[0] + byWorker[1], 50);
      assert.ok(byWorker.every((n) => n > 0), `both workers took part: ${byWorker}`);
      for (const w of workers) assert.deepEqual(await w.stop(), { code: 0, signal: null });
    } finally {
      for (const w of workers) await w.kill();
      await server.stop();
      db.drop();
    }
  });

  test('a restart of the server loses no job and runs none twice', async () => {
    const db = freshDatabase();
    let server = await startServer(['--job-workers', '1', ...fast], { database: db });
    try {
      const { ids } = await enqueue(server, { count: 8, sleep_ms: 300 });
      await waitFor(() => allJobs(server), (a) => a.counts.running === 1, { what: 'the first job to start' });
      const stopped = await server.stop();  // SIGTERM: the running job finishes, the rest stay queued
      assert.equal(stopped.code, 0);

      server = await startServer(['--no-workers'], { database: db });
      const between = await allJobs(server);
      assert.equal(between.counts.running, 0, 'a graceful stop leaves nothing running');
      assert.ok(between.counts.done >= 1, 'the job being run when SIGTERM came was finished');
      assert.ok(between.counts.queued >= 1, 'the others wait in the database');
      assert.equal(between.counts.done + between.counts.queued, 8);
      await server.stop();

      server = await startServer(['--job-workers', '2', ...fast], { database: db });
      const all = await waitFor(() => allJobs(server), (a) => a.counts.done === 8, { what: 'all 8 jobs to be done' });
      assert.deepEqual(all.jobs.map((j) => j.id), ids);
      for (const j of all.jobs) assert.equal(j.runs, 1, `job ${j.id} ran ${j.runs} times`);
    } finally {
      await server.stop();
      db.drop();
    }
  });

  test('a permanent error makes the job dead at once', async () => {
    const server = await startServer(fast);
    try {
      const { ids: [id] } = await enqueue(server, { permanent: true });
      const dead = await waitForJob(server, id, (j) => j.state === 'dead', 'the job to die');
      assert.equal(dead.attempts, 1);
      assert.equal(dead.last_error, 'deliberate permanent failure');
    } finally {
      await server.stop();
    }
  });
});

describe('operator page of dead jobs', () => {
  const token = randomBytes(24).toString('hex');
  const basic = (secret) => 'Basic ' + Buffer.from('operator:' + secret).toString('base64');

  test('without an operator token /ops/jobs does not exist', async () => {
    const server = await startServer([], { opsToken: null });
    try {
      const res = await fetch(server.url + '/ops/jobs', { headers: { Authorization: basic('anything') } });
      assert.equal(res.status, 404);
      assert.equal((await fetch(server.url + '/ops/jobs/1/retry', { method: 'POST' })).status, 404);
    } finally {
      await server.stop();
    }
  });

  test('a too short operator token is refused at start', async () => {
    const r = await runCli(['serve', '--port', '0', '--ops-token', 'short']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /at least 16 characters/);
  });

  test('a job that keeps failing ends dead, the page shows it, and retry puts it back', async () => {
    const server = await startServer(['--ops-token', token, '--job-backoff-base', '0', ...fast]);
    try {
      // Fails three times (its whole allowance), succeeds on the fourth run.
      const { ids: [id] } = await enqueue(server, { key: 'fails-thrice', fail_times: 3, max_attempts: 3 });
      const dead = await waitForJob(server, id, (j) => j.state === 'dead', 'the job to die');
      assert.equal(dead.attempts, 3);
      assert.equal(dead.failures, 3);
      assert.equal(dead.last_error, 'deliberate failure 3 of 3');
      assert.match(server.log(), /is dead after attempt 3 of 3/);

      // Access: the token is required, as a Basic password or a Bearer token.
      const anonymous = await fetch(server.url + '/ops/jobs');
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate'), /^Basic realm="uslugi operators"/);
      assert.equal((await fetch(server.url + '/ops/jobs', { headers: { Authorization: basic('wrong-' + token) } })).status, 401);
      const api = await fetch(server.url + '/ops/jobs', { headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' } });
      assert.equal(api.status, 200);
      const listed = await api.json();
      assert.equal(listed.counts.dead, 1);
      assert.equal(listed.dead[0].id, id);
      assert.equal(listed.dead[0].key, 'fails-thrice');

      // The page, in English.
      const headers = { Authorization: basic(token), 'Accept-Language': 'en' };
      const page = await fetch(server.url + '/ops/jobs', { headers });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<h1 id="jobs-title">Dead jobs<\/h1>/);
      assert.match(html, new RegExp(`<tr id="job-${id}">`));
      assert.match(html, /<td>fails-thrice<\/td>/);
      assert.match(html, /<td>3 \/ 3<\/td>/);
      assert.match(html, /deliberate failure 3 of 3/);
      assert.match(html, new RegExp(`action="/ops/jobs/${id}/retry"`));
      const cookie = `csrf=${csrfCookie(page).value}`;
      const csrf = csrfToken(html);
      assert.ok(csrf);

      // Retry needs the CSRF token of the session, and the operator token.
      const form = (t) => new URLSearchParams({ _csrf: t });
      const noCsrf = await fetch(`${server.url}/ops/jobs/${id}/retry`, { method: 'POST', headers: { ...headers, Cookie: cookie }, body: form('x'), ...noRedirect });
      assert.equal(noCsrf.status, 403);
      const noToken = await fetch(`${server.url}/ops/jobs/${id}/retry`, { method: 'POST', headers: { Cookie: cookie }, body: form(csrf), ...noRedirect });
      assert.equal(noToken.status, 401);
      assert.equal((await job(server, id)).state, 'dead', 'refused requests changed nothing');

      const retry = await fetch(`${server.url}/ops/jobs/${id}/retry`, { method: 'POST', headers: { ...headers, Cookie: cookie }, body: form(csrf), ...noRedirect });
      assert.equal(retry.status, 303);
      assert.equal(retry.headers.get('location'), `/ops/jobs?retried=${id}`);
      const done = await waitForJob(server, id, (j) => j.state === 'done', 'the retried job to be done');
      assert.equal(done.runs, 1);
      assert.equal(done.attempts, 1, 'attempts start again from zero');

      const after = await (await fetch(`${server.url}/ops/jobs?retried=${id}`, { headers: { ...headers, Cookie: cookie } })).text();
      assert.match(after, /role="status">The job is back in the queue, number \d+/);
      assert.match(after, /There are no dead jobs\./);
      const again = await fetch(`${server.url}/ops/jobs/${id}/retry`, { method: 'POST', headers: { ...headers, Cookie: cookie }, body: form(csrf), ...noRedirect });
      assert.equal(again.headers.get('location'), `/ops/jobs?not_dead=${id}`, 'a job that is not dead is left alone');

      // The gauges are refreshed every 5 s.
      await waitForMetrics(server.url, (t) => /uslugi_jobs\{state="done"\} 1\n/.test(t) && /uslugi_jobs\{state="dead"\} 0\n/.test(t), 15000);
    } finally {
      await server.stop();
    }
  });
});
