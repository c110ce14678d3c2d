// A phone-sized header and pages that read well (issue 11, SPEC CAT-3, CAT-4,
// ACC), in a real browser: the header's height at 360 px and the home search
// box on the first screen, one header row signed in at 1280 px, the language
// menu without JavaScript, the choices of the version for the visually
// impaired, tel: links, readable website names, the breadcrumb through the
// category, the nested and searchable directory, the 404 search box, the
// place picker with and without JavaScript and the place named on the pages
// that depend on it; axe-core finds nothing on each page in all four languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startIdentityStack, registerViaApi, uniquePhone, text } from '../support/identity.mjs';

const LANGS = ['ru', 'en', 'de', 'fr'];
let server, browser;
before(async () => {
  server = await startServer([], { seed: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage({ javaScript = true, width = 1280, height = 900, lang = 'ru' } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width, height }, locale: 'ru-RU' });
  const page = await context.newPage();
  if (lang !== 'ru') await page.goto(`${server.url}/prefs/lang/${lang}?next=/`);
  return { page, context, close: () => context.close() };
}

async function expectAccessible(page, label) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${label}: ${JSON.stringify(violations, null, 2)}`);
}

const box = (page, selector) => page.$eval(selector, (el) => {
  const r = el.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, height: r.height, left: r.left, right: r.right };
});
const noSideScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

test('at 360 px the header is at most 120 px tall and the home search box is on the first screen, in every language', async () => {
  for (const lang of LANGS) {
    const { page, close } = await newPage({ width: 360, height: 740, lang });
    await page.goto(server.url + '/');
    const header = await box(page, '.site-header');
    assert.ok(header.height <= 120, `${lang}: the header is ${header.height}px tall`);
    const search = await box(page, '#home-q');
    assert.ok(search.bottom <= 740, `${lang}: the search box ends at ${search.bottom}px`);
    assert.ok(await page.isVisible('.signin'), `${lang}: sign-in is in the header`);
    assert.ok(await noSideScroll(page), `${lang}: no sideways scrolling`);
    await screenshot(page, `header-360-${lang}`);
    await close();
  }
});

test('the language menu opens and switches without JavaScript on a phone', async () => {
  const { page, close } = await newPage({ width: 360, javaScript: false });
  await page.goto(server.url + '/authorities');
  assert.equal(await page.isVisible('a[hreflang=en]'), false, 'closed, the menu takes no room');
  await page.click('.lang-menu summary');
  assert.ok(await page.isVisible('a[hreflang=en]'));
  await follow(page, 'a[hreflang=en]');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(new URL(page.url()).pathname, '/authorities', 'back on the same page');
  await close();
});

test('signed in, the header is one row at 1280 px and at most two short rows at 360 px', async () => {
  const stack = await startIdentityStack({ smtp: false });
  try {
    const client = stack.client();
    await registerViaApi(stack, client, { contact: uniquePhone(), surname: 'Константинопольская', name: 'Александра' });
    for (const [width, limit] of [[1280, 100], [360, 120]]) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      await context.addCookies([{ name: 'sid', value: client.sid, url: stack.url }]);
      const page = await context.newPage();
      await page.goto(stack.url + '/');
      await screenshot(page, `header-signed-in-${width}`);
      assert.ok(await page.isVisible('.account-name'), `${width}: signed in`);
      const header = await box(page, '.site-header');
      assert.ok(header.height <= limit, `${width}: the header is ${header.height}px tall`);
      if (width === 1280) {
        // One row: the portal's name and every tool share the same band.
        const tops = await page.$$eval('.brand, .header-tools > *, .account-menu > *', (els) => els
          .filter((e) => e.getClientRects().length).map((e) => e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2));
        assert.ok(Math.max(...tops) - Math.min(...tops) < 24, `one row: centres at ${tops.join(', ')}`);
        const account = await box(page, '.account-menu');
        assert.ok(account.right > 1150, `the account menu ends on the right, at ${account.right}px`);
      }
      assert.ok(await noSideScroll(page), `${width}: no sideways scrolling`);
      await expectAccessible(page, `signed-in header ${width}`);
      await context.close();
    }
  } finally {
    await stack.stop();
  }
});

test('the version for the visually impaired: font size, colour scheme and spacing chosen without JavaScript', async () => {
  const { page, close } = await newPage({ javaScript: false });
  await page.goto(server.url + '/prefs/vi/on?next=/settings');
  const large = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.equal(large, 22, 'large type by default (137.5 %)');
  assert.ok(await page.isVisible('.vi-settings'), 'the header links to the choices');
  await page.check('#vi-size-huge');
  await page.check('#vi-scheme-wb');
  await page.check('#vi-spacing-wide');
  assert.ok(await page.$('form.form input[name=_csrf]'), 'the form carries its CSRF token');
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /\/settings\?saved=1$/);
  const style = await page.evaluate(() => ({
    root: parseFloat(getComputedStyle(document.documentElement).fontSize),
    background: getComputedStyle(document.body).backgroundColor,
    color: getComputedStyle(document.body).color,
    letters: parseFloat(getComputedStyle(document.body).letterSpacing),
  }));
  assert.equal(style.root, 28, 'huge type (175 %)');
  assert.equal(style.background, 'rgb(0, 0, 0)');
  assert.equal(style.color, 'rgb(255, 255, 255)');
  assert.ok(style.letters >= 0.1 * 28 * 0.99, `wide letter spacing: ${style.letters}px`);
  assert.ok(await page.isChecked('#vi-size-huge'), 'the choice is shown as made');

  // The choices survive switching the mode off and on.
  await page.goto(server.url + '/prefs/vi/off?next=/');
  assert.equal(await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize)), 16);
  await page.goto(server.url + '/prefs/vi/on?next=/');
  assert.equal(await page.getAttribute('html', 'data-vi-scheme'), 'wb');

  // A value that is not one of the choices is refused with a message, nothing saved.
  await page.goto(server.url + '/settings');
  const csrf = await page.getAttribute('form.form input[name=_csrf]', 'value');
  const bad = await page.request.post(server.url + '/settings', { form: { _csrf: csrf, lang: 'ru', vi: 'on', vi_size: 'gigantic' }, maxRedirects: 0 });
  assert.equal(bad.status(), 422);
  assert.ok((await bad.text()).includes(text('ui.vi.error_choice')));
  await page.goto(server.url + '/');
  assert.equal(await page.getAttribute('html', 'data-vi-size'), 'huge');
  await close();
});

test('every scheme of the version for the visually impaired passes axe', async () => {
  const { page, close } = await newPage({ width: 360 });
  await page.goto(server.url + '/prefs/vi/on?next=/settings');
  for (const [size, scheme, spacing] of [['normal', 'blue', 'wide'], ['huge', 'wb', 'normal'], ['large', 'bw', 'wide']]) {
    await page.goto(server.url + '/settings');
    await page.check(`#vi-size-${size}`);
    await page.check(`#vi-scheme-${scheme}`);
    await page.check(`#vi-spacing-${spacing}`);
    await follow(page, 'form.form button[type=submit]');
    for (const path of ['/', '/settings', '/services/foreign-passport-chip', '/authorities?q=%D0%BC%D0%B2%D0%B4']) {
      await page.goto(server.url + path);
      await expectAccessible(page, `vi ${size}/${scheme}/${spacing} ${path}`);
      assert.ok(await noSideScroll(page), `vi ${size}/${scheme}/${spacing} ${path} scrolls sideways`);
    }
    await screenshot(page, `vi-${scheme}-360`);
  }
  await close();
});

test('phones are tel: links and websites read as мвд.рф', async () => {
  const { page, close } = await newPage({ javaScript: false });
  await page.goto(server.url + '/authorities/mvd');
  const phones = await page.$$eval('.phones a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(phones.length > 0, 'the authority has phone links');
  for (const href of phones) assert.match(href, /^tel:\+?\d{3,}$/);
  const site = await page.$eval('.facts a[rel=noopener]', (a) => ({ text: a.textContent, href: a.getAttribute('href') }));
  assert.equal(site.text, 'мвд.рф');
  assert.match(site.href, /^https:\/\/xn--b1aew\.xn--p1ai\/?$/, 'the link keeps the address');
  await page.goto(server.url + '/authorities/guvm');
  assert.match(await page.textContent('.facts a[rel=noopener]'), /^мвд\.рф\/mvd\//, 'a path stays after the readable host');

  await page.goto(server.url + '/centres');
  const centrePhones = await page.$$eval('.results .phones a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(centrePhones.length > 0, 'service centres have phone links');
  for (const href of centrePhones) assert.match(href, /^tel:\+?\d{3,}$/);
  await close();
});

test("a service's breadcrumb goes through its category", async () => {
  const { page, close } = await newPage({ javaScript: false });
  await page.goto(server.url + '/services/foreign-passport-chip');
  const crumbs = await page.$$eval('.breadcrumbs li', (lis) => lis.map((li) => ({
    href: li.querySelector('a')?.getAttribute('href') ?? null, current: li.getAttribute('aria-current'), text: li.textContent.trim(),
  })));
  assert.equal(crumbs.length, 3);
  assert.equal(crumbs[0].href, '/');
  assert.equal(crumbs[1].href, '/categories/passports');
  assert.equal(crumbs[2].current, 'page');
  assert.equal(crumbs[2].text, (await page.textContent('h1')).trim());
  await follow(page, '.breadcrumbs a[href="/categories/passports"]');
  assert.match(await page.textContent('.results'), /загранпаспорт/i);
  await close();
});

test('the directory nests children under their parent and is searched by name without JavaScript', async () => {
  const { page, close } = await newPage({ javaScript: false });
  await page.goto(server.url + '/authorities');
  // Federal bodies from the President down: the MVD under the President, the traffic police under the MVD.
  const chain = await page.$eval('#dir-federal ~ .tree a[href="/authorities/gibdd"]', (a) => {
    const up = [];
    for (let li = a.closest('li').parentElement.closest('li'); li; li = li.parentElement.closest('li')) up.push(li.querySelector(':scope > a').getAttribute('href'));
    return up;
  });
  assert.deepEqual(chain, ['/authorities/mvd', '/authorities/president']);
  const parts = await page.$$eval('.directory-part h2', (hs) => hs.map((h) => h.id));
  assert.deepEqual(parts, ['dir-federal', 'dir-regional', 'dir-municipal']);
  const permMinzdrav = await page.$eval('a[href="/authorities/perm-minzdrav"]', (a) => a.closest('li').parentElement.closest('li').querySelector(':scope > a').getAttribute('href'));
  assert.equal(permMinzdrav, '/authorities/perm-gov', 'a regional ministry sits under its regional government');

  await page.fill('#dir-q', 'миграции');
  await follow(page, '.directory-filters button[type=submit]');
  assert.match(page.url(), /[?&]q=/);
  assert.match(await page.textContent('[role=status]'), /Найдено ведомств: [1-9]/);
  assert.ok(await page.$('a[href="/authorities/guvm"]'), 'the migration directorate is found');
  assert.equal(await page.$('a[href="/authorities/minjust"]'), null, 'unrelated bodies are not listed');
  assert.equal(await page.getAttribute('li:has(> a[href="/authorities/mvd"])', 'class'), 'context', 'its parent is shown as context');
  assert.equal(await page.inputValue('#dir-q'), 'миграции');

  await page.goto(server.url + '/authorities?q=' + encodeURIComponent('несуществующее ведомство'));
  assert.match(await page.textContent('[role=status]'), /Найдено ведомств: 0/);
  assert.equal(await page.$('.tree'), null);
  await close();
});

test('the 404 page has a search box that searches', async () => {
  const { page, close } = await newPage({ javaScript: false });
  const res = await page.goto(server.url + '/no-such-page');
  assert.equal(res.status(), 404);
  await page.fill('#error-q', 'загранпаспорт');
  await follow(page, '.error-search button[type=submit]');
  assert.match(page.url(), /\/search\?q=/);
  assert.match(await page.textContent('.results'), /загранпаспорт/i);
  await page.goto(server.url + '/services/no-such-service');
  assert.ok(await page.$('#error-q'), 'a missing service is a 404 with the box too');
  await close();
});

test('the place picker searches without JavaScript, and the chosen place is named where it matters', async () => {
  const { page, close } = await newPage({ javaScript: false });
  await page.goto(server.url + '/centres');
  assert.equal(await page.isVisible('[data-geolocate]'), false, 'no "nearest to me" button that cannot work');
  await page.goto(server.url + '/');
  await follow(page, 'a[href^="/location"]');
  await page.fill('#place-q', 'перм');
  await follow(page, '.place-search button[type=submit]');
  const found = await page.$$eval('.place-choices button', (bs) => bs.map((b) => b.textContent.trim()));
  assert.ok(found.includes('Пермь, Пермский край'), found.join(' | '));
  assert.ok(found.some((f) => /Пермский край — весь регион/.test(f)), found.join(' | '));
  assert.ok(!found.some((f) => /Москва/.test(f)), 'only matching places');
  await follow(page, '.place-choices button[value="59/perm"]');
  assert.equal(new URL(page.url()).pathname, '/', 'back where the picker was opened from');
  assert.match(await page.textContent('#popular-title'), /Пермь/);

  for (const path of ['/categories/passports', '/situations/birth-of-child', '/services/foreign-passport-chip', '/centres']) {
    await page.goto(server.url + path);
    assert.match(await page.textContent('.place-note'), /Пермь/, `${path} names the place`);
  }
  await page.goto(server.url + '/centres');
  assert.match(await page.textContent('#distances-from'), /Расстояния указаны от места: Пермь\./);

  await page.goto(server.url + '/location?q=' + encodeURIComponent('Атлантида'));
  assert.match(await page.textContent('.place-results'), /Найдено мест: 0/);
  await close();
});

test('with JavaScript the place field offers places as you type and saves a picked one at once', async () => {
  const { page, close } = await newPage();
  await page.goto(server.url + '/location?next=%2Fcentres');
  const options = await page.$$eval('#place-list option', (os) => os.map((o) => o.value));
  assert.ok(options.includes('Березники, Пермский край'), 'the field has a list to pick from');
  await page.fill('#place-q', 'Березники, Пермский край');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.press('#place-q', 'Enter')]);
  assert.equal(new URL(page.url()).pathname, '/centres');
  assert.match(await page.textContent('#distances-from'), /Березники/);
  await close();
});

test('axe finds nothing on these pages in all four languages, at 1280 and 360 px', async () => {
  const pages = ['/', '/settings', '/authorities', '/authorities?q=%D0%BD%D0%B0%D0%BB%D0%BE%D0%B3', '/authorities/mvd',
    '/services/foreign-passport-chip', '/categories/passports', '/situations/birth-of-child', '/location?q=%D0%BF%D0%B5%D1%80%D0%BC',
    '/centres', '/no-such-page'];
  for (const width of [1280, 360]) {
    for (const lang of LANGS) {
      const { page, close } = await newPage({ width, lang });
      for (const path of pages) {
        await page.goto(server.url + path);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        await expectAccessible(page, `${width} ${lang} ${path}`);
        assert.ok(await noSideScroll(page), `${width} ${lang} ${path} scrolls sideways`);
      }
      if (width === 360) {
        await page.click('.lang-menu summary');
        await expectAccessible(page, `${lang} open language menu`);
      }
      await page.goto(server.url + '/');
      await screenshot(page, `home-${width}-${lang}`);
      await close();
    }
  }
});
