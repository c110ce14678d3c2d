// Finding a service as a citizen would, in a real browser: by category, by
// authority, by life situation and by a search with a typo; changing the
// location; axe-core finds no violations on any page visited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, root } from '../support/server.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';

let server, browser;
before(async () => {
  server = await startServer([], { seed: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage({ javaScript = true, width = 1280, locale = 'ru-RU' } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width, height: 900 }, locale });
  return { page: await context.newPage(), close: () => context.close() };
}

// axe runs as a script in the page: only in contexts with JavaScript on.
async function expectAccessible(page, label) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${label}: ${JSON.stringify(violations, null, 2)}`);
}

test('by category, by authority and by life situation, each page accessible', async () => {
  const { page, close } = await newPage();
  await page.goto(server.url + '/');
  await expectAccessible(page, 'home');

  await follow(page, 'a[href="/categories/passports"]');
  await expectAccessible(page, 'category');
  await follow(page, 'a[href="/services/foreign-passport-chip"]');
  assert.match(await page.textContent('h1'), /загранпаспорта/);
  await expectAccessible(page, 'service');
  await screenshot(page, 'service-foreign-passport');

  await follow(page, '.facts a[href^="/authorities/"]');
  assert.match(page.url(), /\/authorities\/guvm$/);
  await expectAccessible(page, 'authority');
  await follow(page, 'a[href="/services/foreign-passport-old"]');
  assert.match(await page.textContent('h1'), /загранпаспорта/);

  await page.goto(server.url + '/');
  await follow(page, 'a[href="/situations/birth-of-child"]');
  await expectAccessible(page, 'life situation');
  const steps = await page.$$eval('.steps h3 a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(steps.length >= 3);
  await follow(page, '.steps h3 a >> nth=0');
  assert.equal(new URL(page.url()).pathname, steps[0]);

  // The other catalog pages (axe needs JavaScript, so the no-JS tests below do not run it).
  for (const path of ['/search?q=%D0%BF%D0%B0%D1%81%D1%81%D0%BF%D0%BE%D1%80%D1%82', '/search?q=%D0%BC%D1%84%D1%86',
    '/search?q=' + encodeURIComponent('вызов врача на дом'), '/search?q=' + encodeURIComponent('штарфы'), '/location', '/centres?identity=1',
    '/authorities?level=regional&region=59', '/authorities']) {
    await page.goto(server.url + path);
    await expectAccessible(page, path);
  }
  await close();
});

test('search with a typo, without JavaScript; pages of results; hostile input', async () => {
  const { page, close } = await newPage({ javaScript: false });
  await page.goto(server.url + '/');
  await page.fill('#home-q', 'пасспорт');
  await follow(page, '.hero button[type=submit]');
  const first = await page.textContent('.results .result h2');
  assert.match(first, /паспорт/i);
  assert.ok(await page.$('.results mark'), 'matched words are highlighted');
  await screenshot(page, 'search-typo');

  await page.goto(server.url + '/search?q=' + encodeURIComponent('<script>alert(1)</script>'));
  assert.equal(await page.inputValue('#search-q'), '<script>alert(1)</script>');
  assert.equal(await page.$('main script'), null, 'the query is text, not markup');
  await page.goto(server.url + '/search?q=' + 'я'.repeat(1000));
  assert.match(await page.textContent('main'), /первым 200 символам/);
  await close();
});

test('suggestions appear as you type (JavaScript on)', async () => {
  const { page, close } = await newPage();
  await page.goto(server.url + '/');
  await page.type('#home-q', 'загран', { delay: 30 });
  await page.waitForFunction(() => document.querySelectorAll('datalist option').length > 0);
  const options = await page.$$eval('datalist option', (os) => os.map((o) => o.value));
  assert.ok(options.some((o) => /загран/i.test(o)), options.join(' | '));
  await close();
});

test('changing the location changes the services shown', async () => {
  const { page, close } = await newPage({ javaScript: false });
  await page.goto(server.url + '/search?q=%D0%BE%D1%85%D0%BE%D1%82%D0%BD%D0%B8%D1%87%D0%B8%D0%B9');
  const everywhere = await page.$$eval('.results .result', (rs) => rs.length);
  assert.ok(await page.$('.region-copies a'), 'copies of several regions: a choice of region');
  await page.goto(server.url + '/');
  await follow(page, 'a[href^="/location"]');
  await page.selectOption('#place', '59/perm');
  await follow(page, 'form.form button[type=submit]');
  assert.match(await page.textContent('#popular-title'), /Пермь/);
  await page.goto(server.url + '/search?q=%D0%BE%D1%85%D0%BE%D1%82%D0%BD%D0%B8%D1%87%D0%B8%D0%B9');
  const inPerm = await page.$$eval('.results .result', (rs) => rs.length);
  // Regional copies are one result each: a choice of regions everywhere, Perm's copy in Perm.
  assert.ok(inPerm <= everywhere, `${inPerm} in Perm, ${everywhere} everywhere`);
  assert.equal(await page.$('.region-copies'), null, 'no choice of region once it is known');
  assert.ok(await page.$('.in-region'), 'available in your region');

  await page.goto(server.url + '/centres?identity=1');
  // "1,2 км", "12 км" or "350 м": a decimal comma and a no-break space on a Russian page.
  const kms = await page.$$eval('.result .meta', (ms) => ms.map((m) => {
    const [, number, unit] = m.textContent.match(/([\d,\u202f]+)\u00a0(к?м)$/) || [];
    return Number(number.replace(/\u202f/g, '').replace(',', '.')) / (unit === 'м' ? 1000 : 1);
  }));
  assert.ok(kms.length > 0 && kms.every((k, i) => i === 0 || kms[i - 1] <= k), kms.join(','));
  await close();
});

test('catalog pages fit 320 px and pass axe in the version for the visually impaired', async () => {
  const { page, close } = await newPage({ width: 320 });
  await page.goto(server.url + '/prefs/vi/on?next=/');
  for (const path of ['/', '/services/foreign-passport-chip', '/search?q=%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82', '/authorities', '/centres']) {
    await page.goto(server.url + path);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${path}: ${scroll}px on ${client}px`);
    await expectAccessible(page, `vi ${path}`);
  }
  await close();
});

// WCAG 3.1.2: the language a browser (and a screen reader) computes for each
// catalog text is the one the text is written in, whether the catalog has the
// page's language for it or falls back to English or Russian.
test('German and French service pages: each text is read in its own language, axe finds nothing', async () => {
  const services = JSON.parse(readFileSync(path.join(root, 'data/catalog/services-individuals.json'), 'utf8')).services;
  const service = services.find((s) => s.id === 'foreign-passport-chip');
  const written = (text, lang) => (text[lang] ? lang : text.en ? 'en' : 'ru');
  for (const [lang, locale] of [['de', 'de-DE'], ['fr', 'fr-FR']]) {
    const { page, close } = await newPage({ locale });
    await page.goto(server.url + '/services/foreign-passport-chip');
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    for (const [selector, field] of [['h1', 'title'], ['.lead', 'short'], ['article > p:not(.lead):not(.notice):not(.place-note)', 'description']]) {
      const shown = await page.$eval(selector, (el) => ({ text: el.textContent, lang: el.closest('[lang]').getAttribute('lang') }));
      const expected = written(service[field], lang);
      assert.equal(shown.text, service[field][expected], `${lang} ${field}`);
      assert.equal(shown.lang, expected, `${lang} ${field} is read as ${expected}`);
    }
    // What is marked is marked as English or Russian (a fallback), never as the page's own language.
    const marked = await page.$$eval('main [lang]', (els) => els.map((el) => el.getAttribute('lang')));
    assert.ok(marked.every((l) => l === 'en' || l === 'ru'), marked.join(','));
    await expectAccessible(page, `${lang} service`);
    for (const p of ['/', '/centres', '/authorities', '/categories/passports']) {
      await page.goto(server.url + p);
      await expectAccessible(page, `${lang} ${p}`);
    }
    await close();
  }
});
