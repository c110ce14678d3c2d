// The cabinet (CAB-3, CAB-5) in a real browser with JavaScript off, at phone
// width (360 px): from "My details" to "My documents", a licence added after a
// failed try, an expiring passport with its replacement service, a vehicle,
// removal, and "My addresses" with a failed and a saved form. axe-core must
// find nothing on every page visited, in every language for the error pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freshDatabase, startServer, waitFor } from '../support/server.mjs';
import { Client, registerViaApi, uniquePhone, smsMessages } from '../support/identity.mjs';
import { startRegistries } from '../support/registries.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';

let registries, database, server, browser;

before(async () => {
  registries = await startRegistries();
  database = freshDatabase();
  server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
    '--data-key', randomBytes(32).toString('hex')], { database, seed: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await registries?.stop();
  database?.drop();
});

// axe-core needs JavaScript: the page's HTML is checked in a twin page that has it.
const twins = new WeakMap();
async function checkPage(page, name) {
  let twin = twins.get(page);
  if (!twin) {
    const context = await browser.newContext({ viewport: page.viewportSize(), locale: 'ru-RU' });
    twin = await context.newPage();
    twins.set(page, twin);
  }
  await twin.context().addCookies(await page.context().cookies());
  await twin.goto(page.url());
  await twin.setContent(await page.content(), { waitUntil: 'load' });
  const violations = await axeViolations(twin);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  const overflow = await twin.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px`);
  await screenshot(page, `cabinet-${name}`);
}

async function signedInPage() {
  const phone = uniquePhone();
  const nextSmsCode = async (to) => {
    const m = await waitFor(() => smsMessages(registries, to), (l) => l.length > 0, { what: 'an SMS code' });
    return m[0].text.match(/\d{6}/)[0];
  };
  const { password } = await registerViaApi({ nextSmsCode }, new Client(server.url), { contact: phone });
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'ru-RU', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + '/signin');
  await page.fill('#login', phone);
  await page.fill('#password', password);
  await follow(page, 'form.form button[type=submit]');
  return page;
}

const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

test('documents and vehicles without JavaScript at 360 px', async () => {
  const page = await signedInPage();
  await page.goto(server.url + '/account/details');
  await follow(page, 'a[href="/account/documents"]');
  assert.equal(new URL(page.url()).pathname, '/account/documents');
  await checkPage(page, 'documents-empty');

  await follow(page, 'a[href="/account/documents/new/driver_licence"]');
  await checkPage(page, 'licence-new');
  await page.fill('#number', '59 09 89140');
  await follow(page, 'form.form button[type=submit]');
  assert.equal(await page.getAttribute('#number', 'aria-invalid'), 'true');
  assert.ok(await page.isVisible('#error-summary'));
  await checkPage(page, 'licence-errors');
  await page.fill('#number', '59 09 891402');
  await page.fill('#issued', '2018-02-22');
  await page.fill('#valid_until', '2028-02-22');
  await page.check('#category-B');
  await follow(page, 'form.form button[type=submit]');
  assert.equal(new URL(page.url()).pathname, '/account/documents');
  assert.ok((await page.textContent('main')).includes('59 09 891402'));

  await follow(page, 'a[href="/account/documents/new/foreign_passport"]');
  await page.fill('#number', '75 1234567');
  await page.fill('#issued', '2016-06-01');
  await page.fill('#valid_until', inDays(20));
  await follow(page, 'form.form button[type=submit]');
  assert.ok(await page.isVisible('[data-expiry="expiring"]'));
  assert.ok(await page.isVisible('a[href="/services/foreign-passport-chip"]'));

  await follow(page, 'a[href="/account/documents/new/vehicle"]');
  await page.fill('#number', '59 ТК 974350');
  await page.fill('#plate', 'У990УС59');
  await page.fill('#make_model', 'Лада Гранта');
  await page.fill('#year', '2015');
  await follow(page, 'form.form button[type=submit]');
  await checkPage(page, 'documents-full');

  // Error pages in every language.
  for (const lang of ['en', 'de', 'fr', 'ru']) {
    await page.goto(`${server.url}/prefs/lang/${lang}?next=/account/documents/new/vehicle`);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await page.fill('#year', '1800');
    await follow(page, 'form.form button[type=submit]');
    assert.equal(await page.getAttribute('#year', 'aria-invalid'), 'true');
    await checkPage(page, `vehicle-errors-${lang}`);
  }

  await page.goto(server.url + '/account/documents');
  const cards = await page.locator('li.card').count();
  await follow(page, 'li.card >> nth=0 >> form button[type=submit]');
  assert.equal(await page.locator('li.card').count(), cards - 1);
  await checkPage(page, 'documents-removed');
});

test('addresses without JavaScript at 360 px', async () => {
  const page = await signedInPage();
  await page.goto(server.url + '/account/details');
  await follow(page, 'a[href="/account/addresses"]');
  await checkPage(page, 'addresses-empty');
  await page.fill('#registration-settlement', 'Пермь');
  await page.fill('#registration-postcode', '6140');
  await follow(page, 'form[action="/account/addresses/registration"] button[type=submit]');
  assert.equal(await page.getAttribute('#registration-postcode', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#registration-region', 'aria-invalid'), 'true');
  await checkPage(page, 'addresses-errors');
  await page.selectOption('#registration-region', '59');
  await page.fill('#registration-street', 'ул. Ленина');
  await page.fill('#registration-house', '1');
  await page.fill('#registration-postcode', '614000');
  await follow(page, 'form[action="/account/addresses/registration"] button[type=submit]');
  assert.equal(await page.inputValue('#registration-postcode'), '614000');
  assert.ok(await page.isVisible('form[action="/account/addresses/registration/delete"]'));
  await checkPage(page, 'addresses-saved');
});
