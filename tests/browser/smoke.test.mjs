// The layout and the foundation pages in a real browser: axe-core finds no
// violations, pages work at 320 px and without JavaScript, the language
// switch and the version for the visually impaired work by clicking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// Each test gets its own context: its own cookies, viewport and JavaScript switch.
async function freshPage({ javaScript = true, width = 1280, locale = 'ru-RU' } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width, height: 900 }, locale });
  return { page: await context.newPage(), close: () => context.close() };
}

test('every foundation page has zero axe violations in Russian and English', async () => {
  const { page, close } = await freshPage();
  const pages = ['/', '/search?q=%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82', '/search', '/settings', '/no-such-page'];
  for (const lang of ['ru', 'en']) {
    await page.goto(`${server.url}/prefs/lang/${lang}?next=/`);
    for (const path of pages) {
      await page.goto(server.url + path);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `${lang} ${path}: ${JSON.stringify(violations, null, 2)}`);
    }
  }
  await page.goto(server.url + '/');
  await screenshot(page, 'home-desktop-en');
  await close();
});

test('the home page fits a 320 px screen without horizontal scrolling', async () => {
  const { page, close } = await freshPage({ width: 320 });
  for (const path of ['/', '/settings', '/no-such-page']) {
    await page.goto(server.url + path);
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${path}: page is ${scroll}px wide on a ${client}px screen`);
  }
  await page.goto(server.url + '/');
  await screenshot(page, 'home-320');
  await close();
});

test('without JavaScript: search, the language switch and the settings form work', async () => {
  const { page, close } = await freshPage({ javaScript: false });
  await page.goto(server.url + '/');
  await page.fill('#home-q', 'загранпаспорт');
  await follow(page, '.search-form button[type=submit]');
  assert.match(page.url(), /\/search\?q=%D0%B7/);
  assert.equal(await page.inputValue('#search-q'), 'загранпаспорт');

  await follow(page, 'a[hreflang=en]');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(page.url(), /\/search\?q=/, 'the switch returns to the same page');

  await page.goto(server.url + '/settings');
  await page.check('#lang-de');
  await page.check('#vi');
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /\/settings\?saved=1$/);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.match(await page.textContent('[role=status]'), /Einstellungen gespeichert/);
  await close();
});

test('the version for the visually impaired enlarges the type and raises the contrast', async () => {
  const { page, close } = await freshPage();
  await page.goto(server.url + '/');
  const normal = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  await follow(page, '.vi-toggle');
    assert.equal(await page.getAttribute('html', 'class'), 'vi');
  const large = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(large >= normal * 1.3, `font grows from ${normal} to ${large}`);
  const footer = await page.evaluate(() => getComputedStyle(document.querySelector('.site-footer')).backgroundColor);
  assert.equal(footer, 'rgb(255, 255, 255)');
  assert.deepEqual(await axeViolations(page), []);
  await screenshot(page, 'home-vi');
  await follow(page, '.vi-toggle');
  assert.equal(await page.getAttribute('html', 'class'), null);
  await close();
});

test('keyboard users can skip to the content', async () => {
  const { page, close } = await freshPage();
  await page.goto(server.url + '/');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#main$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await close();
});
