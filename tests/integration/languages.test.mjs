// Four complete languages (issue #11, ACC-2): a catalog text shown in a language
// other than the page's carries its own lang attribute (WCAG 3.1.2), and
// money, distances and dates are written as each language writes them.
//
// The catalog is the seed one with a few texts cut down to Russian and English,
// so the fallback is exercised whatever the translators add to data/catalog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, runCli, freshDatabase, root } from '../support/server.mjs';
import { sessionCookie, csrfCookie, csrfToken, noRedirect } from '../support/http.mjs';
import { startIdentityStack, newAccount, signInViaPage } from '../support/identity.mjs';

let server, db, seedRoot;
const kNarrow = '\u202f', kNbsp = '\u00a0';

// Only the languages listed stay in the text.
const keep = (text, ...langs) => Object.fromEntries(Object.entries(text).filter(([l]) => langs.includes(l)));

function editJson(file, edit) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  edit(doc);
  writeFileSync(file, JSON.stringify(doc));
}

// A copy of the seed catalog where the chip passport has a German title but a
// description in Russian and English only, its first document in Russian only,
// and the first Perm service centre is named and addressed in Russian and English only.
function cutDownCatalog() {
  seedRoot = mkdtempSync(path.join(tmpdir(), 'uslugi-lang-'));
  // `seed` checks for the folders `serve` needs, though it reads only migrations/ and data/.
  for (const dir of ['migrations', 'templates', 'locales', 'static']) symlinkSync(path.join(root, dir), path.join(seedRoot, dir));
  mkdirSync(path.join(seedRoot, 'data'));
  cpSync(path.join(root, 'data/catalog'), path.join(seedRoot, 'data/catalog'), { recursive: true });
  editJson(path.join(seedRoot, 'data/catalog/services-individuals.json'), (doc) => {
    const s = doc.services.find((x) => x.id === 'foreign-passport-chip');
    s.title.de = 'Biometrischer Reisepass (mit Chip, 10 Jahre gültig)';
    s.description = keep(s.description, 'ru', 'en');
    s.documents[0] = keep(s.documents[0], 'ru');
  });
  editJson(path.join(seedRoot, 'data/catalog/service_centres.json'), (doc) => {
    const c = doc.service_centres.find((x) => x.id === 'mfc-perm-lenina-51');
    c.name = keep(c.name, 'ru', 'en');
    c.address = keep(c.address, 'ru', 'en');
  });
}

before(async () => {
  cutDownCatalog();
  db = freshDatabase();
  const seeded = await runCli(['seed', '--database', db.url], { env: { USLUGI_ROOT: seedRoot } });
  assert.equal(seeded.code, 0, seeded.stderr);
  server = await startServer([], { database: db });
});
after(async () => {
  await server?.stop();
  db?.drop();
  if (seedRoot) rmSync(seedRoot, { recursive: true, force: true });
});

const page = async (p, lang, headers = {}) => {
  const res = await fetch(server.url + p, { headers: { 'Accept-Language': lang, ...headers } });
  assert.equal(res.status, 200, p);
  return res.text();
};
// The page's own content: the header's language links carry lang attributes of their own.
const mainOf = (html) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));

test('a German service page marks the English description, not the German title', async () => {
  const de = await page('/services/foreign-passport-chip', 'de');
  assert.match(de, /<html[^>]* lang="de"/);
  assert.match(de, /<h1>Biometrischer Reisepass \(mit Chip, 10 Jahre gültig\)<\/h1>/, 'own text: no lang attribute');
  assert.match(de, /<p lang="en">The new-style passport carries an electronic chip/);
  assert.match(de, /<li lang="ru">Заявление \(заполняется на портале/);
  // The interface around it is German.
  assert.match(de, /<dt>Gebühr<\/dt><dd>6\.000\u00a0₽/);

  // The same page in English marks only the Russian document; in Russian nothing.
  const en = await page('/services/foreign-passport-chip', 'en');
  assert.match(en, /<p>The new-style passport carries/);
  assert.match(en, /<li lang="ru">Заявление/);
  assert.match(en, new RegExp(`<dd>RUB${kNbsp}6,000<`));
  const ru = await page('/services/foreign-passport-chip', 'ru');
  assert.doesNotMatch(mainOf(ru), / lang="/, 'a Russian page needs no marks');
  assert.match(ru, new RegExp(`<dd>6${kNarrow}000${kNbsp}₽<`));
  const fr = await page('/services/foreign-passport-chip', 'fr');
  assert.match(fr, new RegExp(`<dd>6${kNarrow}000${kNbsp}₽<`));
  assert.match(fr, /<p lang="en">The new-style passport/);
});

test('German and French catalog pages show the catalog\'s own titles and mark only English or Russian texts', async () => {
  // Whatever a page shows from the catalog in English while the page is German must be marked:
  // the English title of a service that has one in German never appears unmarked.
  const services = JSON.parse(readFileSync(path.join(seedRoot, 'data/catalog/services-individuals.json'), 'utf8')).services;
  for (const lang of ['de', 'fr']) {
    const home = await page('/', lang);
    const category = home.match(/href="(\/categories\/[a-z0-9-]+)"/)[1];
    for (const p of ['/', category, '/authorities', '/centres', '/search?q=passport']) {
      const html = mainOf(await page(p, lang));
      for (const s of services) {
        const shown = s.title[lang] ? s.title.en : null;  // an English title would be wrong here
        if (shown && shown !== s.title[lang]) assert.ok(!html.includes(`>${shown}<`), `${p} (${lang}) shows ${s.id} in English`);
      }
      for (const m of html.matchAll(/ lang="([a-z]+)"/g)) assert.ok(['ru', 'en', lang].includes(m[1]), `${p}: lang="${m[1]}"`);
    }
  }
});

// A visitor who chose Perm, in a session of its own (a session keeps its language).
async function visitorInPerm(lang) {
  const form = await fetch(server.url + '/location', { headers: { 'Accept-Language': lang } });
  const token = csrfToken(await form.text());
  const headers = { Cookie: `csrf=${csrfCookie(form).value}`, 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': lang };
  const save = await fetch(server.url + '/location', {
    method: 'POST', headers, body: `_csrf=${encodeURIComponent(token)}&place=59%2Fperm&next=%2F`, ...noRedirect,
  });
  assert.equal(save.status, 303);
  return { Cookie: `${headers.Cookie}; sid=${sessionCookie(save).value}` };
}

test('service centres: distances and the names left in another language follow the page', async () => {
  const distance = { ru: /· (\d+(?:,\d)?)\u00a0(км|м)</g, de: /· (\d+(?:,\d)?)\u00a0(km|m)</g,
    fr: /· (\d+(?:,\d)?)\u00a0(km|m)</g, en: /· (\d+(?:\.\d)?)\u00a0(km|m)</g };
  for (const [lang, pattern] of Object.entries(distance)) {
    const cookie = await visitorInPerm(lang);
    const html = await page('/centres?identity=1', lang, cookie);
    assert.match(html, new RegExp(`<html[^>]* lang="${lang}"`));
    const shown = [...html.matchAll(pattern)];
    assert.ok(shown.length >= 3, `${lang}: ${shown.length} distances`);
    assert.ok(shown.some((m) => m[1].length > 1), `${lang}: a distance with a decimal or several digits`);
    assert.doesNotMatch(html, lang === 'en' ? /· \d+,\d/ : /· \d+\.\d/, `${lang}: the other decimal mark`);
    if (lang === 'de' || lang === 'fr') {
      assert.match(html, /<h2 lang="en">My Documents MFC — Perm central office<\/h2>/);
      assert.match(html, /<p lang="en">51 Lenina St, Perm, 614000<\/p>/);
      // The chosen place on the home page: the catalog has it in every language, so it is unmarked.
      assert.match(await page('/', lang, cookie), /<span class="place">— Perm<\/span>/);
    }
    if (lang === 'en') assert.match(html, /<h2>My Documents MFC — Perm central office<\/h2>/);
  }
});

// Times on account pages (http::local_time) are written as the reader's language writes them.
test('an account page writes its times as the chosen language does', async () => {
  const stack = await startIdentityStack({ smtp: false });
  try {
    const { contact, password } = await newAccount(stack);
    const c = stack.client();
    assert.equal((await signInViaPage(c, contact, password)).status, 303);
    const shapes = {
      ru: /^\d\d\.\d\d\.\d{4} \d\d:\d\d$/, de: /^\d\d\.\d\d\.\d{4}, \d\d:\d\d$/,
      fr: /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/, en: /^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d\d:\d\d$/,
    };
    for (const [lang, shape] of Object.entries(shapes)) {
      await c.get('/settings');
      assert.equal((await c.postForm('/settings', { lang, time_zone: 'Europe/Moscow' })).status, 303);
      const activity = await c.get('/account/activity');
      const times = [...activity.body.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)];
      assert.ok(times.length >= 2, `${lang}: times listed`);
      for (const [, iso, shown] of times) {
        assert.match(shown, shape, `${lang}: ${shown}`);
        // Moscow is UTC+3 all year: the day and the minutes shown are those of the instant.
        const moscow = new Date(Date.parse(iso) + 3 * 3600 * 1000);
        assert.ok(shown.includes(String(moscow.getUTCFullYear())) && shown.endsWith(`:${String(moscow.getUTCMinutes()).padStart(2, '0')}`), `${lang}: ${shown} for ${iso}`);
      }
    }
  } finally {
    await stack.stop();
  }
});
