// APP-5 in a real browser at phone width (360 px): a citizen asks for the
// pension account statement from the catalog, gets it at once, reads its
// tables and downloads the PDF; a foreign passport photo of the wrong
// proportions gets its clear message. axe-core must find nothing on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startApplicationsStack } from '../support/applications.mjs';
import { person } from '../support/registries.mjs';
import { text } from '../support/identity.mjs';

const SQUARE = readFileSync(new URL('../support/fixtures/photo-square.jpg', import.meta.url));
let stack, browser;

before(async () => {
  stack = await startApplicationsStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function checkPage(page, name) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px`);
  await screenshot(page, `pension-${name}`);
}

async function phonePage(client) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, acceptDownloads: true });
  await context.addCookies([{ name: 'sid', value: client.sid, url: stack.url }]);
  return context.newPage();
}

test('the pension account statement: applied for, shown at once, readable at 360 px, downloaded', async () => {
  const p = person('p0001');
  const citizen = await stack.citizen();
  const saved = await citizen.api('PUT', '/api/v1/account/profile', {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender, birth_date: p.birth_date,
    birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship, document_type: 'passport_rf',
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date, issued_by: p.passport.issuer,
    department_code: p.passport.department_code });
  assert.ok(saved.status === 200 || saved.status === 202, saved.body.slice(0, 300));
  const page = await phonePage(citizen);
  await page.goto(stack.url + '/services/pension-account-statement');
  await follow(page, 'a[href="/services/pension-account-statement/apply"]');
  await checkPage(page, 'start');
  await follow(page, 'main form button[type=submit]');
  await page.check('#f-email_copy-no');
  await checkPage(page, 'step');
  await follow(page, 'button[value=next]');
  await checkPage(page, 'summary');
  await follow(page, 'main form button[type=submit]');
  await checkPage(page, 'provided');
  assert.match(await page.textContent('main'), new RegExp(text('applications.status.provided')));
  await follow(page, `a:has-text("${text('pension.open')}")`);
  await checkPage(page, 'statement');
  const main = await page.textContent('main');
  assert.match(main, /Смирнова Анна Сергеевна/);
  assert.ok(main.includes(p.snils));
  assert.ok(await page.locator('main ol li').count() >= 1, 'periods of work as a list');
  assert.equal(await page.locator('main table').count(), 1, 'the years as a table');
  // Each table scrolls inside its own region, never the page: the region is in view and focusable.
  const region = page.locator('.table-scroll').first();
  assert.equal(await region.getAttribute('tabindex'), '0');
  const box = await region.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a:has-text("${text('pension.download')}")`)]);
  assert.match(download.suggestedFilename(), /^pension-statement-\d{4}-\d{8}\.pdf$/);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
});

test('a passport photo of the wrong proportions: a clear message on the step', async () => {
  const citizen = await stack.citizen();
  const page = await phonePage(citizen);
  await page.goto(stack.url + '/services/foreign-passport-old/apply');
  await follow(page, 'main form button[type=submit]');
  await page.fill('#f-surname', 'Соколова');
  await page.fill('#f-name', 'Дарья');
  await page.check('#f-gender-female');
  await page.fill('#f-birth_date', '1985-03-15');
  await page.fill('#f-birth_place', 'г. Пермь');
  await page.fill('#f-snils', '112-233-445 95');
  await follow(page, 'button[value=next]');
  await page.fill('#f-passport', '4508 123456');
  await page.fill('#f-issue_date', '2010-05-20');
  await page.fill('#f-issued_by', 'ОВД района Хамовники г. Москвы');
  await page.fill('#f-department_code', '770-001');
  await page.setInputFiles('#f-photo', { name: 'фото.jpg', mimeType: 'image/jpeg', buffer: SQUARE });
  await follow(page, 'button[value=next]');
  assert.ok((await page.textContent('main')).includes(text('photo.error.proportions')));
  await checkPage(page, 'photo-error');
});
