// APP-1 … APP-3 in a real browser at phone width (360 px; the pages send plain
// forms, so the integration tests drive the same journey without JavaScript):
// a citizen applies for the foreign passport from the catalog page, step by
// step with a photo upload, sends it; an officer of the authority signs in,
// takes, accepts and issues the result; the citizen downloads the PDF.
// axe-core must find nothing on every page visited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startApplicationsStack } from '../support/applications.mjs';
import { readFileSync } from 'node:fs';

// A passport photo that passes its checks: a colour JPEG of 413×531 pixels (35×45).
const PHOTO = readFileSync(new URL('../support/fixtures/photo-35x45.jpg', import.meta.url));
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
  await screenshot(page, `applications-${name}`);
}

// A browser context without JavaScript, at phone width, holding the client's session cookie.
async function phoneContext(client) {
  const context = await browser.newContext({ javaScriptEnabled: true, viewport: { width: 360, height: 740 }, acceptDownloads: true });
  if (client) await context.addCookies([{ name: 'sid', value: client.sid, url: stack.url }]);
  return context;
}

test('apply with a photo, the officer issues the result, the citizen downloads it', async () => {
  const citizen = await stack.citizen();
  const context = await phoneContext(citizen);
  const page = await context.newPage();
  await page.goto(stack.url + '/services/foreign-passport-chip');
  await follow(page, 'a[href="/services/foreign-passport-chip/apply"]');
  await checkPage(page, 'start');
  await follow(page, 'main form button[type=submit]');
  // Step 1, first with a mistake: the error summary links the field.
  await page.fill('#f-surname', 'Соколова');
  await page.fill('#f-name', 'Дарья');
  await page.check('#f-gender-female');
  await page.fill('#f-birth_date', '1985-03-15');
  await page.fill('#f-birth_place', 'г. Пермь');
  await page.fill('#f-snils', '112-233-445 96');
  await follow(page, 'button[value=next]');
  assert.match(await page.textContent('.error-summary'), /СНИЛС/);
  await checkPage(page, 'step-error');
  await page.fill('#f-snils', '112-233-445 95');
  await follow(page, 'button[value=next]');
  await checkPage(page, 'step-2');
  await page.fill('#f-passport', '4508 123456');
  await page.fill('#f-issue_date', '2010-05-20');
  await page.fill('#f-issued_by', 'ОВД района Хамовники г. Москвы');
  await page.fill('#f-department_code', '770-001');
  await page.setInputFiles('#f-photo', { name: 'фото.jpg', mimeType: 'image/jpeg', buffer: PHOTO });
  await follow(page, 'button[value=next]');
  await page.fill('#f-registration_address', 'г. Пермь, ул. Ленина, д. 1, кв. 2');
  await page.check('#f-same_address-yes');
  await page.fill('#f-phone', '+7 912 345-67-89');
  await follow(page, 'button[value=next]');
  await checkPage(page, 'step-4');
  await page.check('#f-had_passport-no');
  await follow(page, 'button[value=next]');
  // The repeatable group grows by a button, without JavaScript.
  await follow(page, 'button[value="add:jobs"]');
  await page.fill('#f-jobs-0-from', '2015-01-01');
  await page.fill('#f-jobs-0-organisation', 'ООО «Ромашка»');
  await page.fill('#f-jobs-0-position', 'инженер');
  await page.check('#f-secrecy-no');
  await checkPage(page, 'step-5-group');
  await follow(page, 'button[value=next]');
  await checkPage(page, 'summary');
  assert.match(await page.textContent('main'), /фото\.jpg/);
  await follow(page, 'main form button[type=submit]');
  await checkPage(page, 'sent');
  const number = (await page.textContent('h1')).match(/\d{4}-\d{8}/)[0];
  const appUrl = page.url();

  const officer = await stack.staff('guvm');
  const office = await (await phoneContext(null)).newPage();
  await office.goto(stack.url + '/signin?next=/office/applications');
  await office.fill('#login', officer.email);
  await office.fill('#password', officer.password);
  await follow(office, 'main form button[type=submit]');
  await checkPage(office, 'queue');
  await follow(office, `a:has-text("${number}")`);
  await checkPage(office, 'office-detail');
  await follow(office, 'form.decision:has(input[value=take]) button');
  await follow(office, 'form.decision:has(input[value=accept]) button');
  await office.fill('#text-issue', 'Паспорт оформлен. Получите его в отделе по вопросам миграции по месту жительства.');
  await follow(office, 'form.decision:has(input[value=issue]) button');
  await checkPage(office, 'office-decided');

  await page.goto(appUrl);
  await checkPage(page, 'provided');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/result.pdf"]')]);
  const pdf = await download.path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p)));
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  await page.goto(stack.url + '/account/applications');
  await checkPage(page, 'cabinet-list');
});
