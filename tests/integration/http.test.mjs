// The HTTP core against a real `uslugi serve`: pages, languages, sessions,
// CSRF, limits, error pages, static files, compression, health and metrics.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { startServer, backend, fetchMetrics } from '../support/server.mjs';
import { rawRequest, statusOf, sessionCookie, csrfToken, noRedirect } from '../support/http.mjs';

let server;
before(async () => {
  server = await startServer(['--header-timeout', '2']);
  server.host = `127.0.0.1:${server.port}`;  // the name a raw request must give
});
after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0, 'serve exits 0 on SIGTERM');
});

const get = (path, init = {}) => fetch(server.url + path, init);

describe(`pages on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
  test('home page is Russian by default, complete, with security headers and no cookie', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/);
    const html = await res.text();
    assert.match(html, /<html lang="ru">/);
    assert.match(html, /<h1 id="home-title">Государственные услуги онлайн<\/h1>/);
    assert.match(html, /<form class="search-form" action="\/search" method="get" role="search">/);
    assert.match(html, /href="tel:88001007010">8 800 100-70-10/);
    assert.match(html, /\+7 499 550-18-39/);
    assert.match(html, /href="tel:115">115</);
    assert.match(html, /Версия для слабовидящих/);
    assert.match(html, /href="\/signin">Войти</);
    for (const code of ['en', 'de', 'fr']) assert.match(html, new RegExp(`href="/prefs/lang/${code}\\?next=%2F"`));
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    // The same for every visitor without an account: kept by the browser and revalidated.
    assert.equal(res.headers.get('cache-control'), 'private, no-cache');
    assert.match(res.headers.get('etag'), /^W\/"[0-9a-f]+"$/);
    assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
    assert.equal(res.headers.getSetCookie().length, 0, 'an anonymous visit creates no session');
  });

  test('Accept-Language chooses English, German or French; unknown languages fall back to Russian', async () => {
    const en = await (await get('/', { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } })).text();
    assert.match(en, /<html lang="en">/);
    assert.match(en, /Government services online/);
    const de = await get('/', { headers: { 'Accept-Language': 'de-DE' } });
    assert.equal(de.headers.get('content-language'), 'de');
    assert.match(await de.text(), /Version für Sehbehinderte/);
    const fr = await (await get('/', { headers: { 'Accept-Language': 'fr;q=0.8, ja' } })).text();
    assert.match(fr, /Portail des services publics et municipaux/);
    const ja = await (await get('/', { headers: { 'Accept-Language': 'ja' } })).text();
    assert.match(ja, /<html lang="ru">/);
  });

  test('the language switch stores the choice in a server-side session', async () => {
    const res = await get('/prefs/lang/fr?next=%2Fsearch%3Fq%3Dx', noRedirect);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/search?q=x');
    const cookie = sessionCookie(res);
    assert.ok(cookie, 'a session cookie is set');
    assert.match(cookie.header, /HttpOnly/);
    assert.match(cookie.header, /SameSite=Lax/);
    assert.match(cookie.header, /Path=\//);
    assert.ok(cookie.value.length >= 43, '256-bit token');
    const page = await (await get('/', { headers: { Cookie: `sid=${cookie.value}`, 'Accept-Language': 'en' } })).text();
    assert.match(page, /<html lang="fr">/, 'the session wins over Accept-Language');
    assert.match(page, /Les services publics en ligne/);
  });

  test('redirects after a preference change never leave the site', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await get(`/prefs/lang/en?next=${encodeURIComponent(next)}`, noRedirect);
      assert.equal(res.headers.get('location'), '/', next);
    }
    const unknown = await get('/prefs/lang/xx?next=/', noRedirect);
    assert.equal(unknown.status, 303);
    assert.equal(sessionCookie(unknown), null, 'an unsupported language creates no session');
  });

  test('the version for the visually impaired is a real stylesheet, kept in the session', async () => {
    const on = await get('/prefs/vi/on?next=/', noRedirect);
    const sid = sessionCookie(on).value;
    const html = await (await get('/', { headers: { Cookie: `sid=${sid}` } })).text();
    assert.match(html, /<html lang="ru" class="vi">/);
    const href = html.match(/<link rel="stylesheet" href="(\/static\/css\/vi\.[0-9a-f]{10}\.css)">/)[1];
    const css = await (await get(href)).text();
    assert.match(css, /html\.vi \{ font-size: 137\.5%; \}/);
    assert.match(html, /Обычная версия сайта/);
    await get('/prefs/vi/off?next=/', { headers: { Cookie: `sid=${sid}` }, ...noRedirect });
    const plain = await (await get('/', { headers: { Cookie: `sid=${sid}` } })).text();
    assert.doesNotMatch(plain, /class="vi"/);
  });

  test('an unknown or forged session cookie is cleared, not trusted', async () => {
    const res = await get('/', { headers: { Cookie: 'sid=' + 'A'.repeat(43) } });
    assert.equal(res.status, 200);
    assert.match(sessionCookie(res).header, /Max-Age=0/);
  });

  test('search page echoes the query safely and handles hostile input', async () => {
    const hostile = `<script>alert(1)</script>' OR 1=1 --`;
    const res = await get('/search?q=' + encodeURIComponent(hostile));
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&apos; OR 1=1 --/);
    const long = await get('/search?q=' + 'я'.repeat(2000));
    assert.equal(long.status, 200);
    assert.match(await long.text(), /искали по первым 200 символам/);
    const control = await get('/search?q=%01%02abc%7F');
    assert.equal(control.status, 200);
    assert.match(await control.text(), /value="abc"/);
    const empty = await (await get('/search?q=')).text();
    assert.match(empty, /Введите название услуги/);
  });
});

describe('CSRF', () => {
  // A stored session (a chosen language makes one) and its forms' token.
  async function sessionWithToken() {
    const sid = sessionCookie(await get('/prefs/lang/ru', noRedirect)).value;
    const res = await get('/settings', { headers: { Cookie: `sid=${sid}` } });
    return { sid, token: csrfToken(await res.text()) };
  }
  const form = (body) => ({ 'Content-Type': 'application/x-www-form-urlencoded', ...body });

  test('a POST without a session or token gets 403 and a page that explains it', async () => {
    const res = await get('/settings', { method: 'POST', headers: form({}), body: 'lang=en', ...noRedirect });
    assert.equal(res.status, 403);
    const html = await res.text();
    assert.match(html, /Форма устарела или была отправлена с другого сайта/);
    assert.match(html, /<h1 id="error-title">Доступ запрещён<\/h1>/);
  });

  test('a wrong token or a foreign Origin is refused; the right token is accepted', async () => {
    const { sid, token } = await sessionWithToken();
    assert.ok(token && token.length >= 43);
    const wrong = await get('/settings', { method: 'POST', headers: form({ Cookie: `sid=${sid}` }), body: 'lang=en&_csrf=' + (token[0] === 'A' ? 'B' : 'A') + token.slice(1), ...noRedirect });
    assert.equal(wrong.status, 403);
    const foreign = await get('/settings', {
      method: 'POST', headers: form({ Cookie: `sid=${sid}`, Origin: 'https://evil.example' }),
      body: `lang=en&_csrf=${token}`, ...noRedirect,
    });
    assert.equal(foreign.status, 403);
    const ok = await get('/settings', {
      method: 'POST', headers: form({ Cookie: `sid=${sid}`, Origin: server.url }),
      body: `lang=en&vi=on&_csrf=${encodeURIComponent(token)}`, ...noRedirect,
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/settings?saved=1');
    const after = await (await get('/settings?saved=1', { headers: { Cookie: `sid=${sid}` } })).text();
    assert.match(after, /<html lang="en" class="vi">/);
    assert.match(after, /Settings saved\./);
  });

  test('the token also works as the X-CSRF-Token header, and bad form input gets a message', async () => {
    const { sid, token } = await sessionWithToken();
    const res = await get('/settings', {
      method: 'POST', headers: form({ Cookie: `sid=${sid}`, 'X-CSRF-Token': token }), body: 'lang=klingon', ...noRedirect,
    });
    assert.equal(res.status, 422);
    assert.match(await res.text(), /Выберите один из предложенных языков/);
  });
});

describe('errors and limits', () => {
  test('404 is a page in the user language; the API answers JSON with a stable code', async () => {
    const res = await get('/no/such/page', { headers: { 'Accept-Language': 'en' } });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /<h1 id="error-title">Page not found<\/h1>/);
    const api = await get('/api/v1/nothing');
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type'), /application\/json/);
    assert.equal((await api.json()).error.code, 'http.not_found');
  });

  test('405 names the allowed methods', async () => {
    const res = await get('/settings', { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, POST');
  });

  test('a failing handler gives a 500 page with the request id, logged, without internals', async () => {
    const res = await get('/test/fail');
    assert.equal(res.status, 500);
    const id = res.headers.get('x-request-id');
    const html = await res.text();
    assert.match(html, /Внутренняя ошибка/);
    assert.ok(html.includes(`<code>${id}</code>`), 'the page shows the request id');
    assert.doesNotMatch(html, /deliberate failure|runtime_error|\.cpp/);
    await new Promise((resolve) => {
      const check = () => (server.log().includes(`request ${id}`) ? resolve() : setTimeout(check, 20));
      check();
    });
    assert.match(server.log(), new RegExp(`request ${id} GET /test/fail failed: deliberate failure`));
  });

  test('malformed requests get 400, never a crash', async () => {
    assert.equal(statusOf(await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: ${server.host}\r\nBroken header line\r\n\r\n`)), 400);
    assert.equal(statusOf(await rawRequest(server.port, `BREW /pot HTTP/1.1\r\nHost: ${server.host}\r\nConnection: close\r\n\r\n`)), 501);
    assert.equal(statusOf(await rawRequest(server.port, `GET / HTTP/9.9\r\nHost: ${server.host}\r\n\r\n`)), 400);
    assert.equal(statusOf(await rawRequest(server.port, `GET /%zz HTTP/1.1\r\nHost: ${server.host}\r\nConnection: close\r\n\r\n`)), 400);
    assert.equal(statusOf(await rawRequest(server.port, `GET /a%00b HTTP/1.1\r\nHost: ${server.host}\r\nConnection: close\r\n\r\n`)), 400);
    assert.equal(statusOf(await rawRequest(server.port, `POST /settings HTTP/1.1\r\nHost: ${server.host}\r\nContent-Length: abc\r\n\r\n`)), 400);
    assert.equal((await get('/')).status, 200, 'still serving');
  });

  test('oversized headers get 431 and oversized bodies 413', async () => {
    const big = `GET / HTTP/1.1\r\nHost: ${server.host}\r\nX-Big: ` + 'a'.repeat(20000) + '\r\n\r\n';
    assert.equal(statusOf(await rawRequest(server.port, big)), 431);
    const declared = `POST /settings HTTP/1.1\r\nHost: ${server.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000\r\n\r\n`;
    const r413 = await rawRequest(server.port, declared);
    assert.equal(statusOf(r413), 413);
    assert.match(Buffer.from(r413, 'latin1').toString('utf8'), /Слишком большой запрос/);
    const chunked = await get('/test/upload', {
      method: 'POST', body: new Blob([Buffer.alloc(9 * 1024 * 1024, 97)]), headers: { 'Content-Type': 'application/octet-stream' },
    }).catch((e) => e);
    // The server may answer 413 before the client has finished sending; either way the upload is refused.
    if (chunked instanceof Error) assert.match(String(chunked.cause?.code || chunked.message), /EPIPE|ECONNRESET|fetch failed|other side closed/);
    else assert.equal(chunked.status, 413);
  });

  test('multipart uploads are parsed, within the route limit larger than the default', async () => {
    const fd = new FormData();
    fd.append('title', 'Заявление');
    fd.append('scan', new Blob([Buffer.alloc(3 * 1024 * 1024, 1)], { type: 'application/pdf' }), 'паспорт.pdf');
    const res = await get('/test/upload', { method: 'POST', body: fd });
    assert.equal(res.status, 200);
    const json = await res.json();
    assert.equal(json.fields.title, 'Заявление');
    assert.deepEqual(json.files, [{ field: 'scan', filename: 'паспорт.pdf', size: 3 * 1024 * 1024 }]);
  });

  test('a client that sends its header too slowly is disconnected', async () => {
    const started = Date.now();
    const reply = await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: ${server.host}\r\n`);
    assert.equal(reply, '', 'no response to an unfinished request');
    assert.ok(Date.now() - started >= 1500, 'closed by the header timeout, not at once');
  });
});

describe('static files, compression, health and metrics', () => {
  test('static files carry an ETag and answer 304; fingerprinted URLs are immutable', async () => {
    const html = await (await get('/')).text();
    const href = html.match(/href="(\/static\/css\/site\.([0-9a-f]{10})\.css)"/)[1];
    const res = await get(href);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(res.headers.get('content-type'), /^text\/css/);
    const etag = res.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    const again = await get(href, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await again.text()).length, 0);
    const plain = await get('/static/css/site.css');
    assert.equal(plain.headers.get('cache-control'), 'no-cache');
    assert.equal((await get('/static/css/site.0000000000.css')).status, 404);
    assert.equal((await get('/static/../CMakeLists.txt')).status, 404);
    assert.equal((await get('/static/%2e%2e/CMakeLists.txt')).status, 404);
  });

  test('text responses are gzipped when the client accepts it', async () => {
    // fetch decodes transparently, so ask over a raw socket to see the bytes.
    const raw = await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: ${server.host}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n`);
    assert.match(raw, /\r\nContent-Encoding: gzip\r\n/i);
    assert.match(raw, /\r\nVary: Accept-Encoding\r\n/i);
    const body = Buffer.from(raw.slice(raw.indexOf('\r\n\r\n') + 4), 'latin1');
    assert.match(gunzipSync(body).toString('utf8'), /Государственные услуги онлайн/);
  });

  test('/healthz checks the database', async () => {
    const res = await get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', database: 'ok' });
  });

  test('/metrics counts requests by route and status and shows the pools', async () => {
    await get('/');
    await get('/definitely-missing');
    const text = await (await fetchMetrics(server.url)).text();
    assert.match(text, /uslugi_http_requests_total\{route="\/",method="GET",status="200"\} \d+/);
    assert.match(text, /uslugi_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+/);
    assert.match(text, /uslugi_http_request_duration_seconds_bucket\{route="\/",le="\+Inf"\} \d+/);
    for (const gauge of ['uslugi_worker_queue_depth', 'uslugi_workers_busy', 'uslugi_db_pool_in_use', 'uslugi_db_pool_size', 'uslugi_open_connections'])
      assert.match(text, new RegExp(`^${gauge} \\d+`, 'm'), gauge);
  });
});
