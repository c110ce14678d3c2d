// Anonymous visitors against a real `uslugi serve`: showing them a form stores
// no session (CSRF goes through a signed cookie), a sent form still works with
// and without JavaScript, forged and cross-browser tokens are refused, and
// /metrics answers only to the operator.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, backend, fetchMetrics } from '../support/server.mjs';
import { sessionCookie, csrfCookie, csrfToken, noRedirect } from '../support/http.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0, 'serve exits 0 on SIGTERM');
});

const get = (path, init = {}) => fetch(server.url + path, init);
const sessions = async () => (await get('/test/sessions')).json();
const formHeaders = (extra) => ({ 'Content-Type': 'application/x-www-form-urlencoded', ...extra });

// Every page an anonymous visitor sees a form on, and the API's token source.
const formPages = ['/signin', '/signup', '/recover', '/settings', '/location'];

// A visitor's first visit to a form page: its CSRF cookie and the form's token.
async function visit(path = '/settings') {
  const res = await get(path);
  assert.equal(res.status, 200, path);
  const cookie = csrfCookie(res);
  assert.ok(cookie, `${path} sets the CSRF cookie`);
  return { cookie: `csrf=${cookie.value}`, token: csrfToken(await res.text()) };
}

describe(`anonymous sessions on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
  test('200 cookieless visits of every anonymous form page store no session', async () => {
    const before = await sessions();
    for (const path of [...formPages, '/api/v1/session']) {
      for (let i = 0; i < 200; i += 8) {
        const batch = await Promise.all(Array.from({ length: 8 }, () => get(path)));
        for (const res of batch) {
          assert.equal(res.status, 200, path);
          assert.equal(sessionCookie(res), null, `${path} sets no session cookie`);
          await res.arrayBuffer();
        }
      }
    }
    assert.deepEqual(await sessions(), before);
  });

  test('the CSRF cookie is HttpOnly and SameSite=Lax, and its value is not the token', async () => {
    const res = await get('/signin');
    const cookie = csrfCookie(res);
    assert.match(cookie.header, /HttpOnly/);
    assert.match(cookie.header, /SameSite=Lax/);
    assert.match(cookie.header, /Path=\//);
    assert.doesNotMatch(cookie.header, /Max-Age/, 'it ends with the browser session');
    const token = csrfToken(await res.text());
    assert.ok(token && token.length >= 43);
    assert.ok(!cookie.value.includes(token) && !token.includes(cookie.value));
    // A visitor who already has the cookie keeps it.
    const again = await get('/signup', { headers: { Cookie: `csrf=${cookie.value}` } });
    assert.equal(csrfCookie(again), null);
    assert.equal(csrfToken(await again.text()), token);
  });

  test('a form works without JavaScript; only then is a session stored, and it keeps the token', async () => {
    const { cookie, token } = await visit('/settings');
    const before = await sessions();
    const saved = await get('/settings', {
      method: 'POST', headers: formHeaders({ Cookie: cookie }), body: `lang=en&_csrf=${encodeURIComponent(token)}`, ...noRedirect,
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), '/settings?saved=1');
    const sid = sessionCookie(saved);
    assert.ok(sid, 'the chosen language is remembered in a session');
    assert.match(sid.header, /Max-Age=(\d+)/);
    const maxAge = Number(sid.header.match(/Max-Age=(\d+)/)[1]);
    assert.ok(maxAge > 0 && maxAge <= 24 * 3600, `an anonymous session lives hours, not months (Max-Age=${maxAge})`);
    assert.equal((await sessions()).anonymous, before.anonymous + 1);

    const jar = `${cookie}; sid=${sid.value}`;
    const page = await (await get('/settings?saved=1', { headers: { Cookie: jar } })).text();
    assert.match(page, /<html lang="en">/);
    assert.equal(csrfToken(page), token, 'forms keep the token they had');
    const again = await get('/settings', {
      method: 'POST', headers: formHeaders({ Cookie: jar }), body: `lang=de&_csrf=${encodeURIComponent(token)}`, ...noRedirect,
    });
    assert.equal(again.status, 303);
    assert.equal(sessionCookie(again), null, 'the same session');
  });

  test('an API client gets its token from /api/v1/session and sends it as X-CSRF-Token', async () => {
    const res = await get('/api/v1/session');
    const cookie = csrfCookie(res);
    assert.ok(cookie);
    const { csrf_token: token, signed_in } = await res.json();
    assert.equal(signed_in, false);
    const headers = { Cookie: `csrf=${cookie.value}`, 'X-CSRF-Token': token, 'Content-Type': 'application/json', Accept: 'application/json' };
    const rated = await get('/api/v1/identity/password-strength', { method: 'POST', headers, body: JSON.stringify({ password: 'correct horse battery staple 1979' }) });
    assert.equal(rated.status, 200);
    assert.equal(typeof (await rated.json()).score, 'number');
    // The session that sending made takes the same token: the client needs no new one.
    const sid = sessionCookie(rated);
    assert.ok(sid);
    const session = await (await get('/api/v1/session', { headers: { Cookie: `csrf=${cookie.value}; sid=${sid.value}` } })).json();
    assert.equal(session.csrf_token, token);
  });

  test('a token from another browser, a forged cookie or a missing half is refused with the usual 403', async () => {
    const mine = await visit('/signin');
    const theirs = await visit('/signin');
    const forgedValue = mine.cookie.slice('csrf='.length, mine.cookie.indexOf('.')) + '.' + '0'.repeat(64);
    const before = await sessions();
    const attempts = [
      ['another browser\'s token', theirs.cookie, mine.token],
      ['another browser\'s cookie', mine.cookie, theirs.token],
      ['a forged signature', `csrf=${forgedValue}`, mine.token],
      ['no cookie', '', mine.token],
      ['no token', mine.cookie, ''],
    ];
    for (const [what, cookie, token] of attempts) {
      const page = await get('/settings', {
        method: 'POST', headers: formHeaders(cookie ? { Cookie: cookie } : {}), body: `lang=en&_csrf=${encodeURIComponent(token)}`, ...noRedirect,
      });
      assert.equal(page.status, 403, what);
      const html = await page.text();
      assert.match(html, /Форма устарела или была отправлена с другого сайта/, what);
      assert.match(html, /<h1 id="error-title">Доступ запрещён<\/h1>/, what);
      assert.equal(sessionCookie(page), null, what);

      const api = await get('/api/v1/identity/password-strength', {
        method: 'POST',
        headers: { ...(cookie ? { Cookie: cookie } : {}), 'X-CSRF-Token': token, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ password: 'x' }),
      });
      assert.equal(api.status, 403, what);
      assert.equal((await api.json()).error.code, 'csrf.invalid', what);
    }
    // The cookie and the token of the same browser are accepted.
    const ok = await get('/settings', {
      method: 'POST', headers: formHeaders({ Cookie: mine.cookie }), body: `lang=en&_csrf=${encodeURIComponent(mine.token)}`, ...noRedirect,
    });
    assert.equal(ok.status, 303);
    assert.equal((await sessions()).anonymous, before.anonymous + 1, 'refused forms stored nothing');
  });

  test('once a session exists, another browser\'s valid cookie and token do not open its forms', async () => {
    const { cookie, token } = await visit('/settings');
    const saved = await get('/settings', {
      method: 'POST', headers: formHeaders({ Cookie: cookie }), body: `lang=ru&_csrf=${encodeURIComponent(token)}`, ...noRedirect,
    });
    const sid = sessionCookie(saved).value;
    const ended = `${cookie}; sid=${sid}`;
    // Once a session exists only its token counts (it took over the cookie's)…
    assert.equal((await get('/settings', { method: 'POST', headers: formHeaders({ Cookie: ended }), body: `lang=ru&_csrf=${encodeURIComponent(token)}`, ...noRedirect })).status, 303);
    // …and another browser's valid cookie pair does not open this session's forms.
    const other = await visit('/settings');
    const cross = await get('/settings', {
      method: 'POST', headers: formHeaders({ Cookie: `${other.cookie}; sid=${sid}` }), body: `lang=ru&_csrf=${encodeURIComponent(other.token)}`, ...noRedirect,
    });
    assert.equal(cross.status, 403);
  });
});

describe('/metrics is for the operator', () => {
  test('without the operator token /metrics answers 401; with it, the figures', async () => {
    await get('/');
    const anonymous = await get('/metrics');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate'), /^Basic /);
    assert.doesNotMatch(await anonymous.text(), /uslugi_http_requests_total/);
    const wrong = await get('/metrics', { headers: { Authorization: 'Bearer wrong-' + server.opsToken } });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(await wrong.text(), /uslugi_/);
    const basic = await get('/metrics', { headers: { Authorization: 'Basic ' + Buffer.from('prometheus:' + server.opsToken).toString('base64') } });
    assert.equal(basic.status, 200);
    const res = await fetchMetrics(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    assert.match(await res.text(), /uslugi_http_requests_total\{route="\/",method="GET",status="200"\} \d+/);
    assert.equal((await get('/healthz')).status, 200, '/healthz stays public');
  });

  test('a server without an operator token has no /metrics at all', async () => {
    const bare = await startServer([], { opsToken: null });
    try {
      const res = await fetch(bare.url + '/metrics', { headers: { Authorization: 'Bearer anything-at-all-long' } });
      assert.equal(res.status, 404);
      assert.equal((await fetch(bare.url + '/healthz')).status, 200);
    } finally {
      await bare.stop();
    }
  });
});
