// Hardening of the HTTP transport against a real `uslugi serve`: whose
// X-Forwarded-For is believed, connection caps per client address, the
// first-byte timeout of a new connection, and requests whose framing a proxy
// could read differently (no Host, two Hosts, folded lines, codings other
// than chunked).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, backend, waitFor, runCli, metricValue, fetchMetrics } from '../support/server.mjs';
import { statusOf } from '../support/http.mjs';

const db = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';

// Sends raw bytes from `from` (any 127/8 address is local on Linux) and
// resolves with what came back and whether the server closed the connection
// within `timeoutMs` (the socket is then destroyed by us).
function exchange(port, bytes, { from = '127.0.0.1', timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); resolve({ text: data.toString('latin1'), closed: false }); }, timeoutMs);
    const done = () => { clearTimeout(timer); resolve({ text: data.toString('latin1'), closed: true }); };
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d) => { data = Buffer.concat([data, d]); });
    socket.on('end', done);
    socket.on('error', (e) => (e.code === 'ECONNRESET' ? done() : (clearTimeout(timer), reject(e))));
  });
}

// The client address the server logged for the request with this id (the
// request log is flushed asynchronously, so it is polled for).
async function loggedIp(server, requestId) {
  const line = await waitFor(() => server.log(), (log) => new RegExp(`id=${requestId} .* ip=\\S+`).test(log),
    { what: `the request log line of ${requestId}` });
  return line.match(new RegExp(`id=${requestId} .* ip=(\\S+)`))[1];
}

// The Host a raw request names: the address the server was reached at.
const hostOf = (server) => `127.0.0.1:${server.port}`;

// GET /robots.txt from `from` with extra header lines; { status, ip, hsts }.
async function whoAmI(server, headerLines = [], from = '127.0.0.1') {
  const head = ['GET /robots.txt HTTP/1.1', `Host: ${hostOf(server)}`, ...headerLines, 'Connection: close', '', ''].join('\r\n');
  const { text } = await exchange(server.port, head, { from });
  const id = text.match(/\r\nX-Request-Id: ([0-9a-f]{16})\r\n/i)?.[1];
  assert.ok(id, `a response with a request id:\n${text}`);
  return { status: statusOf(text), ip: await loggedIp(server, id), hsts: /\r\nStrict-Transport-Security:/i.test(text) };
}

describe(`X-Forwarded-For on ${db}`, () => {
  let loopback, listed;
  before(async () => {
    loopback = await startServer(['--trust-proxy']);
    listed = await startServer(['--trusted-proxies', '127.0.0.2, 2001:db8::/32']);
  });
  after(async () => {
    assert.equal((await loopback.stop()).code, 0);
    assert.equal((await listed.stop()).code, 0);
  });

  test('the right-most address that is not a trusted proxy is the client, not the left-most', async () => {
    // The client wrote 6.6.6.6 itself; the proxy on loopback appended what it saw.
    assert.equal((await whoAmI(loopback, ['X-Forwarded-For: 6.6.6.6, 203.0.113.9'])).ip, '203.0.113.9');
    // A chain through two proxies of ours.
    assert.equal((await whoAmI(loopback, ['X-Forwarded-For: 6.6.6.6, 203.0.113.9, 127.0.0.3'])).ip, '203.0.113.9');
    // A proxy that adds its own header line instead of extending the client's.
    assert.equal((await whoAmI(loopback, ['X-Forwarded-For: 6.6.6.6', 'X-Forwarded-For: 203.0.113.7'])).ip, '203.0.113.7');
    assert.equal((await whoAmI(loopback, ['X-Forwarded-For: 2001:db8::42'])).ip, '2001:db8::42');
    assert.equal((await whoAmI(loopback, ['X-Forwarded-For: ::ffff:198.51.100.8'])).ip, '198.51.100.8');
  });

  test('anything but an address falls back to the connecting peer', async () => {
    for (const forged of ['<script>alert(1)</script>', 'unknown', '203.0.113.9:4711', 'evil", "x', '203.0.113.9, nonsense'])
      assert.equal((await whoAmI(loopback, [`X-Forwarded-For: ${forged}`])).ip, '127.0.0.1', forged);
  });

  test('--trust-proxy still believes X-Forwarded-Proto from loopback', async () => {
    assert.equal((await whoAmI(loopback, ['X-Forwarded-Proto: https'])).hsts, true);
    assert.equal((await whoAmI(loopback, ['X-Forwarded-Proto: http'])).hsts, false);
  });

  test('--trusted-proxies: only the listed peers are believed', async () => {
    const direct = await whoAmI(listed, ['X-Forwarded-For: 203.0.113.9', 'X-Forwarded-Proto: https'], '127.0.0.1');
    assert.deepEqual(direct, { status: 200, ip: '127.0.0.1', hsts: false }, 'a peer not listed is the client itself');
    const proxied = await whoAmI(listed, ['X-Forwarded-For: 203.0.113.9', 'X-Forwarded-Proto: https'], '127.0.0.2');
    assert.deepEqual(proxied, { status: 200, ip: '203.0.113.9', hsts: true });
  });

  test('a malformed proxy list is refused at start with a clear message', async () => {
    for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.0/8, 2001:db8::/129']) {
      const r = await runCli(['serve', '--port', '0', '--database', 'sqlite:///nonexistent/never.db', '--trusted-proxies', bad]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--trusted-proxies/);
      assert.match(r.stderr, new RegExp(bad.split(', ').pop().replace(/[./]/g, '\\$&')));
    }
  });
});

describe(`connection caps on ${db}`, () => {
  // The documented default of --max-client-connections.
  const CAP = 256;
  const OVER = 8;
  let server;
  // A long header timeout: an accepted silent connection stays open, so a
  // close within this test is the cap's doing.
  before(async () => { server = await startServer(['--header-timeout', '60']); });
  after(async () => assert.equal((await server.stop()).code, 0));

  test('one address cannot take every connection: over its cap it is closed at once, others are served', async () => {
    const sockets = [];
    const closed = new Set();
    try {
      for (let i = 0; i < CAP + OVER; i++) {
        const s = net.connect({ port: server.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
        s.on('error', () => {});
        s.on('close', () => closed.add(i));
        await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
        sockets.push(s);
      }
      await waitFor(async () => closed.size, (n) => n >= OVER, { timeoutMs: 5000, what: 'the over-cap sockets to be closed' });
      const res = await fetch(server.url + '/healthz', { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200, '/healthz from 127.0.0.1 answers');
      assert.deepEqual([...closed].sort((a, b) => a - b), Array.from({ length: OVER }, (_, k) => CAP + k),
        'exactly the connections beyond the cap were closed');
      const metrics = await (await fetchMetrics(server.url)).text();
      assert.equal(metricValue(metrics, 'uslugi_connections_refused_total\\{reason="client_cap"\\}'), OVER);
      assert.ok(metricValue(metrics, 'uslugi_max_connections') > CAP);
      // The connections within the cap are really served.
      const first = sockets[0];
      const reply = new Promise((resolve) => first.once('data', (d) => resolve(d.toString('latin1'))));
      first.write(`GET /healthz HTTP/1.1\r\nHost: ${hostOf(server)}\r\n\r\n`);
      assert.equal(statusOf(await reply), 200);
    } finally {
      for (const s of sockets) s.destroy();
    }
    // Once they are gone the address may connect again.
    await waitFor(async () => metricValue(await (await fetchMetrics(server.url)).text(), 'uslugi_open_connections'),
      (n) => n < CAP, { what: 'the closed sockets to be gone' });
    const again = await exchange(server.port, `GET /healthz HTTP/1.1\r\nHost: ${hostOf(server)}\r\nConnection: close\r\n\r\n`,
      { from: '127.0.0.2' });
    assert.equal(statusOf(again.text), 200);
  });
});

describe(`request framing and the first byte on ${db}`, () => {
  let server;
  before(async () => { server = await startServer(['--header-timeout', '2']); });
  after(async () => assert.equal((await server.stop()).code, 0));

  test('a new connection that sends nothing is closed after the header timeout, not the idle one', async () => {
    const started = Date.now();
    const { text, closed } = await exchange(server.port, '', { timeoutMs: 15000 });
    assert.equal(closed, true, 'closed by the server within 15 s (the idle timeout is 75 s)');
    assert.equal(text, '', 'without a response');
    assert.ok(Date.now() - started >= 1500, 'not before the header timeout');
  });

  // HOST becomes the server's own address: these requests are wrong only in their framing.
  const refused = {
    'HTTP/1.1 without Host': 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n',
    'two Host fields': 'GET / HTTP/1.1\r\nHost: HOST\r\nHost: HOST\r\n\r\n',
    'a folded header line': 'GET / HTTP/1.1\r\nHost: HOST\r\nX-Note: one\r\n two\r\n\r\n',
    'a line folded with a tab': 'GET / HTTP/1.1\r\nHost: HOST\r\nX-Note: one\r\n\ttwo\r\n\r\n',
    'Transfer-Encoding gzip': 'POST /test/upload HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: gzip\r\n\r\n',
    'Transfer-Encoding gzip, chunked': 'POST /test/upload HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    'Transfer-Encoding identity with a length':
      'POST /test/upload HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: identity\r\nContent-Length: 3\r\n\r\na=b',
  };
  for (const [what, bytes] of Object.entries(refused)) {
    test(`${what}: 400 with the bare error page, and the connection is closed`, async () => {
      const { text, closed } = await exchange(server.port, bytes.replaceAll('HOST', hostOf(server)));
      assert.equal(statusOf(text), 400, text);
      assert.match(text, /\r\nConnection: close\r\n/i);
      assert.match(Buffer.from(text, 'latin1').toString('utf8'), /Некорректный запрос/);
      assert.equal(closed, true, 'the server closes the connection');
    });
  }

  test('what stays valid: one Host, HTTP/1.0 without Host, chunked bodies', async () => {
    const host = hostOf(server);
    assert.equal(statusOf((await exchange(server.port, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).text), 200);
    assert.equal(statusOf((await exchange(server.port, 'GET /healthz HTTP/1.0\r\n\r\n')).text), 200);
    const chunked = await exchange(server.port,
      `POST /test/upload HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n7\r\ntitle=x\r\n0\r\n\r\n');
    assert.equal(statusOf(chunked.text), 200, chunked.text);
    assert.match(chunked.text, /"title":"x"/);
  });

  // The header and the start of its body in one read, on a connection that
  // already served a request: the header's bytes must leave the buffer once.
  test('a body that begins in the same read as its header, after a first request', async () => {
    const host = hostOf(server);
    const body = 'title=' + 'я'.repeat(40);
    const bytes = Buffer.byteLength(body);
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    let data = '';
    socket.on('data', (d) => { data += d.toString('latin1'); });
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write(`GET /robots.txt HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    await waitFor(() => data, (d) => /\r\n\r\n[\s\S]*Disallow/.test(d), { what: 'the first answer' });
    data = '';
    const head = `POST /test/upload HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${bytes}\r\nConnection: close\r\n\r\n`;
    const raw = Buffer.concat([Buffer.from(head), Buffer.from(body)]);
    socket.write(raw.subarray(0, head.length + 10));
    await new Promise((resolve) => setImmediate(resolve));
    socket.write(raw.subarray(head.length + 10));
    await new Promise((resolve) => socket.on('end', resolve));
    assert.equal(statusOf(data), 200, data);
    assert.match(Buffer.from(data, 'latin1').toString('utf8'), /"title":"я{40}"/);
  });
});
