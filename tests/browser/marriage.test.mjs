// Marriage registration in a real browser at phone width (360 px): the form,
// the summary, the slot picker (a date link, then a free time), the hold; the
// second spouse opens the booking in their own account and confirms.
// axe-core must find nothing on every page visited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startApplicationsStack } from '../support/applications.mjs';
import { Client, registerViaApi, uniquePhone, text } from '../support/identity.mjs';

// The shared helper's sqlite3 has no busy timeout: the server's writers (the
// job runner, the outbox) would make a write from here fail at once.
function sql(query) {
  if (!stack.database.url.startsWith('sqlite://')) return stack.scalar(query);
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', stack.database.url.slice('sqlite://'.length), query],
    { encoding: 'utf8' }).trim();
}

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
  await screenshot(page, `marriage-${name}`);
}

async function person(surname, name) {
  const c = new Client(stack.url);
  const phone = uniquePhone();
  const { account } = await registerViaApi(stack, c, { contact: phone, surname, name });
  sql(`UPDATE identity_accounts SET level = 'confirmed' WHERE id = ${account.id}`);
  c.phone = phone;
  return c;
}

async function phonePage(client) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  await context.addCookies([{ name: 'sid', value: client.sid, url: stack.url }]);
  return context.newPage();
}

test('the applicant holds a slot, the second spouse confirms', async () => {
  const anna = await person('Соколова', 'Дарья'), petr = await person('Иванов', 'Пётр');
  const page = await phonePage(anna);
  await page.goto(stack.url + '/services/marriage-registration/apply');
  await checkPage(page, 'start');
  await follow(page, 'main form button[type=submit]');
  await page.fill('#f-surname', 'Соколова');
  await page.fill('#f-name', 'Дарья');
  await page.fill('#f-birth_date', '1995-03-15');
  await page.fill('#f-surname_after', 'Иванова');
  await follow(page, 'button[value=next]');
  await page.fill('#f-spouse_surname', 'Иванов');
  await page.fill('#f-spouse_name', 'Пётр');
  await page.fill('#f-spouse_birth_date', '1993-07-02');
  await page.fill('#f-spouse_surname_after', 'Иванов');
  await page.fill('#f-spouse_contact', petr.phone);
  await follow(page, 'button[value=next]');
  await checkPage(page, 'office');
  await page.check('#f-office-moscow-zags');
  await page.check('#f-ceremony-ceremonial');
  await follow(page, 'button[value=next]');
  await checkPage(page, 'summary');
  await follow(page, 'form[action$="/marriage"] button[type=submit]');
  await checkPage(page, 'slot-month');
  await follow(page, '.slot-dates a');
  await checkPage(page, 'slot-day');
  const time = await page.getAttribute('input[name=time]', 'value');
  await page.check('input[name=time]');
  await follow(page, 'form[action$="/marriage/hold"] button[type=submit]');
  assert.match(page.url(), /\/account\/marriage\/\d+\?held=1$/);
  assert.ok((await page.textContent('main')).includes(time));
  await checkPage(page, 'booking-held');

  const spouse = await phonePage(petr);
  await spouse.goto(page.url().replace(/\?.*$/, ''));
  const invitation = await spouse.textContent('main');
  assert.ok(invitation.includes(text('marriage.booking.question')));
  assert.ok(invitation.includes('Дарья Соколова') && invitation.includes('Иванова'), 'the spouse reads the couple and the surnames');
  await checkPage(spouse, 'booking-spouse');
  await follow(spouse, 'form[action$="/confirm"] button');
  assert.ok((await spouse.textContent('.notice.success')).includes(text('marriage.booking.confirmed_notice')));
  await checkPage(spouse, 'booking-confirmed');
  await spouse.goto(stack.url + '/account/marriage');
  await checkPage(spouse, 'list');
});
