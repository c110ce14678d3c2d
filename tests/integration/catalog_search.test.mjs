// Search (CAT-2) against a real `uslugi serve` with the demo catalog seeded:
// the failures reported in issue 11, regional copies shown once (with a
// choice of region, or "available in your region" once the place is known),
// authorities and service centres in their own group, "did you mean".
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, backend } from '../support/server.mjs';
import { sessionCookie, csrfCookie, csrfToken, noRedirect } from '../support/http.mjs';

let server;
before(async () => { server = await startServer([], { seed: true }); });
after(async () => { await server.stop(); });

const get = (path, init = {}) => fetch(server.url + path, init);
const ru = { headers: { 'Accept-Language': 'ru' } };

async function search(q, init = ru) {
  const res = await get(`/api/v1/search?q=${encodeURIComponent(q)}`, init);
  assert.equal(res.status, 200);
  return res.json();
}

async function page(q, init = ru) {
  const res = await get(`/search?q=${encodeURIComponent(q)}`, init);
  assert.equal(res.status, 200);
  return res.text();
}

// A session with the place chosen on /location, as a visitor would.
async function placeHeaders(place) {
  const form = await get('/location');
  const token = csrfToken(await form.text());
  const headers = { Cookie: `csrf=${csrfCookie(form).value}`, 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': 'ru' };
  const save = await get('/location', { method: 'POST', headers, body: `_csrf=${encodeURIComponent(token)}&place=${encodeURIComponent(place)}&next=%2F`, ...noRedirect });
  assert.equal(save.status, 303);
  headers.Cookie += `; sid=${sessionCookie(save).value}`;
  return { headers };
}

describe(`catalog search on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
  test('the queries reported in issue 11 find what the citizen wants', async () => {
    const fines = await search('штрафы');
    assert.equal(fines.results[0].id, 'traffic-fines');
    const titles = fines.results.map((r) => r.title);
    assert.equal(new Set(titles).size, titles.length, `no repeated titles: ${titles.join(' | ')}`);
    assert.equal((await search('детский сад')).results[0].id, 'kindergarten-enrolment');
    assert.equal((await search('пособие на ребенка')).results[0].id, 'unified-child-allowance');
    const licence = await search('водительское удостоверение');
    assert.match(licence.results[0].id, /^driver-licence-/);
    assert.ok(!licence.results.slice(0, 3).some((r) => r.id === 'property-registration'));
    const gai = await search('проверить штрафы ГАИ');
    assert.equal(gai.partial, false);
    assert.equal(gai.results[0].id, 'traffic-fines');
    assert.equal((await search('zagranpasport')).results[0].id, 'foreign-passport-chip');
  });

  test('regional copies of a service appear once, with the regions to choose from', async () => {
    const r = await search('вызов врача на дом');
    const doctor = r.results.filter((h) => h.id.startsWith('doctor-home-visit-'));
    assert.equal(doctor.length, 1, JSON.stringify(r.results.map((h) => h.id)));
    assert.equal(doctor[0].in_region, false);
    assert.equal(doctor[0].regions.length, 5);
    for (const c of doctor[0].regions) {
      assert.match(c.id, /^doctor-home-visit-/);
      assert.equal(c.href, `/services/${c.id}`);
      assert.ok(c.region && c.name, JSON.stringify(c));
    }
    assert.ok(doctor[0].regions.some((c) => c.name === 'Пермский край'));

    const html = await page('вызов врача на дом');
    assert.match(html, /выберите свой/);
    const links = [...html.matchAll(/href="(\/services\/doctor-home-visit-[a-z]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(links).size, 5, links.join(' '));
    assert.match(html, /href="\/location\?next=/);
    for (const link of new Set(links)) assert.equal((await get(link)).status, 200, link);
  });

  test('once the place is known the copy of that region is shown as available there', async () => {
    const perm = await placeHeaders('59/perm');
    const r = await search('вызов врача на дом', perm);
    assert.equal(r.results[0].id, 'doctor-home-visit-perm');
    assert.equal(r.results[0].in_region, true);
    assert.deepEqual(r.results[0].regions.map((c) => c.id), ['doctor-home-visit-perm']);
    const html = await page('вызов врача на дом', perm);
    assert.match(html, /Доступна в вашем регионе/);
    assert.doesNotMatch(html, /выберите свой/);
  });

  test('authorities and service centres come in their own group', async () => {
    const mvd = await search('МВД');
    assert.equal(mvd.authorities[0].id, 'mvd');
    assert.equal(mvd.authorities[0].kind, 'authority');
    assert.equal(mvd.authorities[0].href, '/authorities/mvd');
    assert.equal((await search('налоговая')).authorities[0].id, 'fns');
    assert.equal((await search('ФНС')).authorities[0].id, 'fns');
    assert.equal((await search('Социальный фонд')).authorities.some((a) => a.id === 'sfr'), true);
    const mfc = await search('мфц', await placeHeaders('59/perm'));
    assert.ok(mfc.authorities.length > 0);
    assert.ok(mfc.authorities.every((a) => a.kind === 'authority' || a.kind === 'centre'));
    assert.ok(mfc.authorities.some((a) => a.kind === 'centre' && a.href === '/centres'));
    for (const r of mfc.results) assert.ok(!r.id.includes(':'), 'services and bodies are kept apart');

    const html = await page('МВД');
    assert.match(html, /<h2 id="bodies-title">Ведомства и центры обслуживания<\/h2>/);
    assert.match(html, /href="\/authorities\/mvd"/);
    assert.doesNotMatch(html, /Ничего не найдено/);
    assert.equal((await get('/authorities/mvd')).status, 200);
  });

  test('"did you mean" for misspelt, retyped and transliterated queries, as a link', async () => {
    const typo = await search('штарфы');
    assert.deepEqual(typo.suggestion, { query: 'штрафы', href: '/search?q=' + encodeURIComponent('штрафы') });
    assert.equal((await search('ifnhfas')).suggestion.query, 'штрафы');
    assert.equal((await search('zagranpasport')).suggestion.query, 'загранпаспорт');
    assert.equal((await search('штрафы')).suggestion, null);
    const html = await page('штарфы');
    assert.ok(html.includes(`Возможно, вы искали <a href="/search?q=${encodeURIComponent('штрафы')}">штрафы</a>`), 'a plain link: works without JavaScript');
    const en = await (await get(`/search?q=${encodeURIComponent('pensoin')}`, { headers: { 'Accept-Language': 'en' } })).text();
    assert.match(en, /Did you mean <a href="\/search\?q=pension">pension<\/a>/);
  });

  test('the page needs no JavaScript: a GET form, results and groups rendered on the server', async () => {
    const html = await page('мфц');
    assert.match(html, /<form class="search-form" action="\/search" method="get" role="search">/);
    assert.match(html, /Ведомства и центры обслуживания/);
    assert.match(html, /Центр обслуживания/);
  });
});
