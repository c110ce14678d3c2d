// The catalog against a real `uslugi serve` with the demo catalog seeded:
// browsing, search (word forms, typos, synonyms, layout), place, directory,
// service centres, blanks, JSON API, hostile input.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, backend } from '../support/server.mjs';
import { sessionCookie, csrfCookie, csrfToken, noRedirect } from '../support/http.mjs';

let server;
before(async () => { server = await startServer([], { seed: true }); });
after(async () => { await server.stop(); });

const get = (path, init = {}) => fetch(server.url + path, init);
const html = async (path, init) => (await get(path, init)).text();
const ru = { headers: { 'Accept-Language': 'ru' } };

// "1,2 км" or "350 м" (a Russian page's distance) in kilometres.
const kilometres = ([, number, unit]) => Number(number.replace(/\u202f/g, '').replace(',', '.')) / (unit === 'м' ? 1000 : 1);

async function search(q, extra = '') {
  const res = await get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
  assert.equal(res.status, 200);
  return res.json();
}

describe(`catalog on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
  test('seeding twice changes nothing', async () => {
    const again = await runCli(['seed', '--database', server.child.spawnargs[server.child.spawnargs.indexOf('--database') + 1]]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /catalog unchanged: version 1/);
  });

  test('the home page lists popular services, categories and life situations with working links', async () => {
    const page = await html('/', ru);
    assert.match(page, /Популярные услуги/);
    const links = [...page.matchAll(/href="(\/(?:services|categories|situations)\/[a-z0-9-]+)"/g)].map((m) => m[1]);
    assert.ok(links.filter((l) => l.startsWith('/services/')).length >= 8);
    assert.ok(links.filter((l) => l.startsWith('/categories/')).length >= 12);
    assert.ok(links.filter((l) => l.startsWith('/situations/')).length >= 15);
    for (const link of new Set(links)) assert.equal((await get(link)).status, 200, link);
  });

  test('a service page shows every CAT-1 field', async () => {
    const page = await html('/services/foreign-passport-chip', ru);
    for (const text of ['Оформление загранпаспорта нового образца', 'Нужна:', 'подтверждённая учётная запись', 'Ведомство',
      'Главное управление по вопросам миграции', 'Физическим лицам', 'вся Россия', '6\u202f000\u00a0₽', 'Срок', 'Результат',
      'Документы', 'онлайн на портале', 'Вопросы и ответы', 'blank.pdf'])
      assert.ok(page.includes(text), text);
    assert.equal((await get('/services/no-such-service')).status, 404);
  });

  test('search understands word forms, typos, synonyms, the wrong keyboard layout and English', async () => {
    const cases = [
      ['паспорта', /passport/],
      ['пасспорт', /passport/],
      ['штарфы', /fines/],
      ['загранпаспорт', /^foreign-passport/],
      ['гаи', /fines|gibdd|traffic/],
      ['gfcgjhn', /passport/],
      ['traffic fines', /fines/],
      ['детсад', /kindergarten/],
    ];
    for (const [q, expected] of cases) {
      const r = await search(q);
      assert.ok(r.total > 0, `${q}: nothing found`);
      assert.match(r.results[0].id, expected, `${q}: first is ${r.results[0].id}`);
    }
    assert.equal((await search('gfcgjhn')).corrected_query, 'паспорт');
    const marked = await search('паспорт');
    assert.match(marked.results[0].title_html, /<mark>/);
  });

  test('search input is treated as text: empty, long, control characters, markup, SQL', async () => {
    assert.equal((await search('')).total, 0);
    const long = await search('паспорт '.repeat(200));
    assert.equal(long.truncated, true);
    const sql = await search(`'; DROP TABLE catalog_services; --`);
    assert.equal(typeof sql.total, 'number');
    assert.ok((await search('паспорт')).total > 0, 'the catalog is still there');
    const page = await html('/search?q=' + encodeURIComponent('<img src=x onerror=alert(1)>паспорт'));
    assert.doesNotMatch(page, /<img src=x/);
    assert.equal((await get('/search?q=%00')).status, 400);
    assert.equal((await get('/search?q=%01%02')).status, 200);
  });

  test('search results are paginated and filter by audience', async () => {
    const first = await search('регистрация');
    assert.ok(first.total > 20, `only ${first.total}`);
    const second = await search('регистрация', '&page=2');
    assert.notDeepEqual(second.results.map((r) => r.id), first.results.map((r) => r.id));
    const page = await html('/search?q=%D1%80%D0%B5%D0%B3%D0%B8%D1%81%D1%82%D1%80%D0%B0%D1%86%D0%B8%D1%8F&page=2', ru);
    assert.match(page, /rel="prev"/);
    const foreigners = await search('патент', '&audience=foreigner');
    assert.ok(foreigners.total > 0);
    for (const r of foreigners.results) {
      const svc = await (await get(`/api/v1/catalog/services/${r.id}`)).json();
      assert.ok(svc.audiences.includes('foreigner'), r.id);
    }
  });

  test('choosing a place changes what the catalog shows', async () => {
    const form = await get('/location');
    const token = csrfToken(await form.text());
    const headers = { Cookie: `csrf=${csrfCookie(form).value}`, 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': 'ru' };
    const before = await (await get('/api/v1/search?q=%D0%BE%D1%85%D0%BE%D1%82%D0%BD%D0%B8%D1%87%D0%B8%D0%B9', { headers })).json();
    const save = await get('/location', { method: 'POST', headers, body: `_csrf=${encodeURIComponent(token)}&place=59%2Fperm&next=%2F`, ...noRedirect });
    assert.equal(save.status, 303);
    headers.Cookie += `; sid=${sessionCookie(save).value}`;  // the chosen place is kept in a session
    const home = await html('/', { headers });
    assert.match(home, /— Пермь</);
    const after = await (await get('/api/v1/search?q=%D0%BE%D1%85%D0%BE%D1%82%D0%BD%D0%B8%D1%87%D0%B8%D0%B9', { headers })).json();
    // Regional copies come as one result each: everywhere with the regions to choose from, in Perm as Perm's copy.
    assert.ok(before.results.some((r) => r.regions.length > 1), 'copies of several regions before a place is chosen');
    assert.ok(after.results.every((r) => r.regions.length <= 1), 'only the copies of Perm once it is chosen');
    assert.ok(after.results.some((r) => r.in_region), 'a copy of Perm, available in the region');
    for (const r of after.results) {
      const svc = await (await get(`/api/v1/catalog/services/${r.id}`)).json();
      assert.ok(svc.regions.includes('*') || svc.regions.includes('59'), r.id);
    }
    const bad = await get('/location', { method: 'POST', headers, body: `_csrf=${encodeURIComponent(token)}&place=59%2Fmoscow`, ...noRedirect });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /Такого места нет в списке/);
    const centres = await html('/centres?identity=1', { headers });
    const distances = [...centres.matchAll(/· ([\d,\u202f]+)\u00a0(к?м)</g)].map(kilometres);
    assert.ok(distances.length >= 3);
    assert.deepEqual(distances, [...distances].sort((a, b) => a - b), 'nearest first');
  });

  test('the browser position sorts centres across regions; bad coordinates are ignored', async () => {
    const moscow = await html('/centres?lat=55.7558&lon=37.6173', ru);
    assert.match(moscow, /отсортированы по расстоянию/);
    const first = moscow.match(/<li class="result"><h2>([^<]+)<\/h2><p class="meta">[^<]*· ([\d,\u202f]+)\u00a0(к?м)</);
    assert.ok(first && kilometres(first.slice(1)) < 30, 'the nearest is in Moscow');
    const bad = await get('/centres?lat=999&lon=abc');
    assert.equal(bad.status, 200);
    assert.doesNotMatch(await bad.text(), /отсортированы по расстоянию/);
  });

  test('authorities directory: tree, filters, pages, subordinate bodies and services', async () => {
    const all = await html('/authorities', ru);
    assert.match(all, /Найдено ведомств: \d+/);
    const regional = await html('/authorities?level=regional&region=59', ru);
    const count = Number(regional.match(/Найдено ведомств: (\d+)/)[1]);
    assert.ok(count > 3 && count < 30);
    assert.ok((await html('/authorities?level=nonsense&region=%27')).includes('Найдено ведомств'));
    const mvd = await (await get('/api/v1/catalog/authorities/mvd')).json();
    assert.ok(mvd.children.length > 0);
    const page = await html('/authorities/' + mvd.children[0], ru);
    assert.match(page, /href="\/authorities\/mvd"/);
  });

  test('blank forms download as PDF with Cyrillic fonts', async () => {
    const res = await get('/services/foreign-passport-chip/blank.pdf');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    assert.ok(bytes.includes('DejaVuSans'));
    assert.equal((await get('/services/no-such/blank.pdf')).status, 404);
  });

  test('JSON API: services, categories, situations, suggestions; stable error codes', async () => {
    const svc = await (await get('/api/v1/catalog/services/foreign-passport-chip', { headers: { 'Accept-Language': 'en' } })).json();
    assert.equal(svc.title, 'Biometric international passport (with chip, valid for 10 years)');
    assert.equal(svc.fee_kopecks, 600000);
    assert.equal(svc.min_account_level, 'confirmed');
    const missing = await get('/api/v1/catalog/services/nope');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'catalog.service_not_found');
    const categories = await (await get('/api/v1/catalog/categories')).json();
    assert.ok(categories.categories.length >= 12);
    const inCategory = await (await get(`/api/v1/catalog/categories/${categories.categories[0].id}/services`)).json();
    assert.equal(inCategory.total, categories.categories[0].services);
    const situation = await (await get('/api/v1/catalog/situations/birth-of-child')).json();
    assert.ok(situation.steps.length >= 3);
    const suggest = await (await get('/api/v1/search/suggest?q=%D0%B7%D0%B0%D0%B3%D1%80%D0%B0%D0%BD')).json();
    assert.ok(suggest.suggestions.length > 0);
    assert.match(suggest.suggestions[0].title, /загран/i);
  });
});
