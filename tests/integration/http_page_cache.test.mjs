// The shared page cache (issue #16): catalog pages for visitors without an
// account are rendered once per language and place, served compressed in the
// coding the browser accepts best, revalidated by ETag, never shared with a
// signed-in visitor, and dropped when a new catalog version arrives.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startServer, backend, fetchMetrics, waitFor } from '../support/server.mjs';
import { sessionCookie, csrfCookie, csrfToken, noRedirect } from '../support/http.mjs';
import { scalar, registerViaApi, startIdentityStack, uniquePhone } from '../support/identity.mjs';

const browser = {
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Encoding': 'gzip, deflate, br',
  'Accept-Language': 'ru-RU,ru;q=0.9,en;q=0.8',
};
const service = '/services/foreign-passport-chip';

// fetch() decodes bodies itself; node:http hands over the bytes that came.
function raw(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { ...browser, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res: { status: res.statusCode, headers: new Headers(res.headers) }, bytes: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function decode(res, bytes) {
  const coding = res.headers.get('content-encoding');
  if (coding === 'br') return brotliDecompressSync(bytes).toString('utf8');
  if (coding === 'gzip') return gunzipSync(bytes).toString('utf8');
  return bytes.toString('utf8');
}

async function cacheLookups(url) {
  const text = await (await fetchMetrics(url)).text();
  const hit = Number(text.match(/^uslugi_page_cache_lookups_total\{result="hit"\} (\S+)$/m)?.[1]);
  const miss = Number(text.match(/^uslugi_page_cache_lookups_total\{result="miss"\} (\S+)$/m)?.[1]);
  return { hit, miss };
}

describe(`shared page cache on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
  let server, database;
  before(async () => {
    server = await startServer(['--catalog-poll-seconds', '1'], { seed: true });
    database = { url: server.child.spawnargs[server.child.spawnargs.indexOf('--database') + 1] };
  });
  after(async () => { await server.stop(); });

  test('a catalog page is rendered once and then served from the cache', async () => {
    const before = await cacheLookups(server.url);
    const first = await fetch(server.url + '/categories/passports', { headers: browser });
    const second = await fetch(server.url + '/categories/passports', { headers: browser });
    assert.equal(first.status, 200);
    assert.equal(await first.text(), await second.text());
    const after = await cacheLookups(server.url);
    assert.equal(after.miss - before.miss, 1);
    assert.equal(after.hit - before.hit, 1);
  });

  test('every coding carries the same page; q=0 refuses a coding', async () => {
    const identity = await raw(server.url + service, { 'Accept-Encoding': 'identity' });
    const page = identity.bytes.toString('utf8');
    assert.equal(identity.res.headers.get('content-encoding'), null);
    assert.match(page, /<html lang="ru"/);
    for (const [accept, coding] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip'], ['br;q=0, gzip', 'gzip'],
      ['gzip;q=0', null], ['*', 'br']]) {
      const { res, bytes } = await raw(server.url + service, { 'Accept-Encoding': accept });
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers.get('content-encoding'), coding, accept);
      assert.equal(decode(res, bytes), page, accept);
      assert.match(res.headers.get('vary') ?? '', /Accept-Encoding/, accept);
      assert.ok(bytes.length < page.length || coding === null, accept);
    }
  });

  test('a page seen before is revalidated with its ETag: 304 without a body', async () => {
    const { res } = await raw(server.url + service);
    const etag = res.headers.get('etag');
    assert.match(etag, /^W\/"[0-9a-f]+"$/);
    assert.equal(res.headers.get('cache-control'), 'private, no-cache');
    const again = await raw(server.url + service, { 'If-None-Match': etag });
    assert.equal(again.res.status, 304);
    assert.equal(again.bytes.length, 0);
    assert.equal(again.res.headers.get('etag'), etag);
    const other = await raw(server.url + service, { 'If-None-Match': 'W/"0123456789"' });
    assert.equal(other.res.status, 200);
    // The English page is another page, with another tag.
    const english = await raw(server.url + service, { 'Accept-Language': 'en', 'If-None-Match': etag });
    assert.equal(english.res.status, 200);
    assert.notEqual(english.res.headers.get('etag'), etag);
    assert.match(decode(english.res, english.bytes), /<html lang="en"/);
  });

  test('a chosen place is part of the page: one visitor\'s place is not another\'s', async () => {
    const form = await fetch(server.url + '/location', { headers: browser });
    const token = csrfToken(await form.text());
    const headers = { ...browser, Cookie: `csrf=${csrfCookie(form).value}`, 'Content-Type': 'application/x-www-form-urlencoded' };
    const save = await fetch(server.url + '/location', { method: 'POST', headers, body: `_csrf=${encodeURIComponent(token)}&place=59%2Fperm&next=%2F`, ...noRedirect });
    assert.equal(save.status, 303);
    const perm = await (await fetch(server.url + '/', { headers: { ...browser, Cookie: `sid=${sessionCookie(save).value}` } })).text();
    assert.match(perm, /— Пермь</);
    const nobody = await (await fetch(server.url + '/', { headers: browser })).text();
    assert.doesNotMatch(nobody, /— Пермь</);
    const permAgain = await (await fetch(server.url + '/', { headers: { ...browser, Cookie: `sid=${sessionCookie(save).value}` } })).text();
    assert.equal(permAgain, perm);
  });

  test('a new catalog version replaces the cached pages', async () => {
    const before = await (await fetch(server.url + service, { headers: browser })).text();
    assert.match(before, /Оформление загранпаспорта нового образца/);
    scalar(database, "UPDATE catalog_services SET data = replace(data, 'Оформление загранпаспорта нового образца', 'Загранпаспорт нового образца, обновлённый') WHERE id = 'foreign-passport-chip'");
    scalar(database, "UPDATE catalog_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'version'");
    await waitFor(async () => (await fetch(server.url + service, { headers: browser })).text(),
      (page) => page.includes('Загранпаспорт нового образца, обновлённый'), { timeoutMs: 20000, what: 'the new catalog version' });
  });
});

describe(`shared pages and signed-in visitors on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
  let stack;
  before(async () => { stack = await startIdentityStack({ smtp: false }); });
  after(async () => { await stack.stop(); });

  test('a signed-in visitor gets their own page, and nobody else gets it', async () => {
    const anonymous = await fetch(stack.url + '/', { headers: browser });
    assert.ok(anonymous.headers.get('etag'), 'the anonymous home page is shared');
    const client = stack.client();
    await registerViaApi(stack, client, { contact: uniquePhone() });  // ends signed in
    const mine = await client.get('/');
    assert.equal(mine.status, 200);
    assert.match(mine.body, /signout-form/);
    assert.equal(mine.headers.get('etag'), null, 'a signed-in page is not shared');
    assert.equal(mine.headers.get('cache-control'), 'no-store');
    const later = await (await fetch(stack.url + '/', { headers: browser })).text();
    assert.doesNotMatch(later, /signout-form/);
    assert.doesNotMatch(later, /class="account-name"/);
  });
});
