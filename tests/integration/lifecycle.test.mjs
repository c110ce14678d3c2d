// Back-pressure, graceful shutdown and the command line.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, runCli, waitForMetrics, metricValue, freshDatabase } from '../support/server.mjs';

describe('back-pressure', () => {
  test('when the worker queue is full the server answers 503 with Retry-After at once', async () => {
    const server = await startServer(['--workers', '1', '--queue', '1']);
    try {
      const first = fetch(server.url + '/test/sleep?ms=3000');
      await waitForMetrics(server.url, (t) => metricValue(t, 'uslugi_workers_busy') === 1);
      const second = fetch(server.url + '/test/sleep?ms=10');
      await waitForMetrics(server.url, (t) => metricValue(t, 'uslugi_worker_queue_depth') === 1);
      const third = await fetch(server.url + '/settings', { headers: { 'Accept-Language': 'en' } });
      assert.equal(third.status, 503);
      assert.equal(third.headers.get('retry-after'), '2');
      assert.match(await third.text(), /Service temporarily overloaded/);
      // Non-blocking pages for visitors without a session are served by the I/O threads meanwhile.
      assert.equal((await fetch(server.url + '/')).status, 200);
      assert.equal((await first).status, 200);
      assert.equal((await second).status, 200);
      assert.equal((await fetch(server.url + '/settings')).status, 200, 'serves again once the queue drains');
    } finally {
      await server.stop();
    }
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM lets in-flight requests finish, refuses new ones, and exits 0', async () => {
    const server = await startServer();
    const inflight = fetch(server.url + '/test/sleep?ms=1500').then(async (r) => ({ status: r.status, body: await r.text() }));
    await waitForMetrics(server.url, (t) => metricValue(t, 'uslugi_workers_busy') === 1);
    server.child.kill('SIGTERM');
    const result = await inflight;
    assert.equal(result.status, 200);
    assert.equal(result.body, 'slept 1500 ms\n');
    const { code, signal } = await server.exited;
    await server.stop();
    assert.equal(signal, null, 'exited by itself, not killed');
    assert.equal(code, 0);
    await assert.rejects(fetch(server.url + '/'), 'no longer listening');
    assert.match(server.log(), /finishing in-flight requests/);
  });

  test('idle keep-alive connections do not hold the shutdown up', async () => {
    const server = await startServer();
    const { Agent, request } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 5 });
    await Promise.all(Array.from({ length: 5 }, () => new Promise((resolve, reject) => {
      request(server.url + '/', { agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject).end();
    })));
    await waitForMetrics(server.url, (t) => metricValue(t, 'uslugi_open_connections') >= 5);
    const { code } = await server.stop();
    assert.equal(code, 0);
    agent.destroy();
  });
});

describe('command line', () => {
  test('--version and --help', async () => {
    const v = await runCli(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^uslugi \d+\.\d+\.\d+/);
    const h = await runCli(['--help']);
    assert.equal(h.code, 0);
    for (const word of ['serve', 'migrate', '--database']) assert.ok(h.stdout.includes(word), word);
    const sh = await runCli(['serve', '--help']);
    for (const word of ['--port', '--listen', '--workers']) assert.ok(sh.stdout.includes(word), word);
  });

  test('bad flags and bad settings exit 2 with a clear message', async () => {
    const unknown = await runCli(['serve', '--no-such-flag']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no-such-flag/);
    const port = await runCli(['serve', '--port', 'eighty']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /port/i);
    const none = await runCli([]);
    assert.equal(none.code, 2);
    const db = await runCli(['migrate', '--database', 'mysql://x']);
    assert.equal(db.code, 2);
    assert.match(db.stderr, /unsupported database URL 'mysql:\/\/x'/);
  });

  test('migrate applies the migrations once; settings come from env and a config file too', async () => {
    const db = freshDatabase();
    try {
      const first = await runCli(['migrate'], { env: { USLUGI_DATABASE: db.url } });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /migration applied: http_sessions/);
      const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-cfg-'));
      const file = path.join(dir, 'uslugi.ini');
      writeFileSync(file, `database = "${db.url}"\n`);
      const second = await runCli(['migrate', '--config', file]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /up to date \(0 applied now\)/);
      rmSync(dir, { recursive: true });
    } finally {
      db.drop();
    }
  });

  test('USLUGI_PORT and USLUGI_LISTEN set the address', async () => {
    const net = await import('node:net');
    const port = await new Promise((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = probe.address().port;
        probe.close(() => resolve(p));
      });
    });
    const server = await startServer([], { env: { USLUGI_PORT: String(port), USLUGI_LISTEN: '127.0.0.1' }, portFlag: false });
    try {
      assert.equal(server.port, port);
      assert.equal((await fetch(server.url + '/healthz')).status, 200);
    } finally {
      await server.stop();
    }
  });
});
