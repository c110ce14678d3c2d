// Registration and sign-in in a real browser: a person types their name and
// phone, reads the SMS code (from the sandbox, where the demo inbox shows it),
// watches the live password meter, reaches the account page, signs out with
// the header's button and signs in again. axe-core finds no violations on any
// page visited; the walk is repeated in the version for the visually impaired
// and on a phone screen (390×844) without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startIdentityStack, uniquePhone, typedPhone, strongPassword, text } from '../support/identity.mjs';

let stack, browser;
before(async () => {
  stack = await startIdentityStack({ smtp: false });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const strengthLabels = [0, 1, 2, 3, 4].map((n) => text(`identity.strength.${n}`));

// Checks the page the browser is on: zero axe violations, no sideways
// scrolling, and a screenshot named after the walk and the step.
async function check(page, walk, step, { fits = true } = {}) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${walk} ${step} (${page.url()}): ${JSON.stringify(violations, null, 2)}`);
  await screenshot(page, `identity-${walk}-${step}`);
  if (fits) assert.equal(await sideways(page), 0, `${walk} ${step} scrolls sideways`);
}
const sideways = (page) => page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));

// The live meter's label once it shows one for what was typed.
async function meterLabel(page) {
  await page.waitForFunction(() => {
    const out = document.getElementById('strength');
    return out && !out.hidden && out.querySelector('.strength-label').textContent.trim() !== '';
  });
  return (await page.textContent('#strength .strength-label')).trim();
}

async function walk(name, { width = 1280, height = 900, vi = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'ru-RU' });
  const page = await context.newPage();
  const url = (p) => stack.url + p;
  try {
    if (vi) {
      await page.goto(url('/'));
      await follow(page, '.vi-toggle');
      assert.equal(await page.getAttribute('html', 'class'), 'vi', 'the version for the visually impaired is on');
    }

    // 1. Name and phone.
    await page.goto(url('/signup'));
    await check(page, name, 'signup');
    await follow(page, 'form.form button[type=submit]');  // empty: the form answers with messages
    assert.match(await page.textContent('#error-summary'), new RegExp(text('identity.error.name_required')));
    assert.equal(await page.getAttribute('#surname', 'aria-invalid'), 'true');
    await check(page, name, 'signup-errors');
    const phone = uniquePhone();
    await page.fill('#surname', 'Соколова');
    await page.fill('#name', 'Дарья');
    await page.locator('#contact').pressSequentially(typedPhone(phone));
    await follow(page, 'form.form button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/signup/code');

    // 2. The SMS code.
    await check(page, name, 'code');
    const code = await stack.nextSmsCode(phone);
    await page.fill('#code', '000000' === code ? '111111' : '000000');
    await follow(page, 'form.form button[type=submit]');
    assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true', 'a wrong code is marked at the field');
    await check(page, name, 'code-wrong');
    await page.fill('#code', code);
    await follow(page, 'form.form button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/signup/password');

    // 3. The password, with the live meter.
    await check(page, name, 'password');
    await page.locator('#password').pressSequentially('qwerty');
    const weak = await meterLabel(page);
    assert.ok(strengthLabels.slice(0, 2).includes(weak), `a weak password is called weak: ${weak}`);
    const password = strongPassword();
    await page.fill('#password', '');
    await page.locator('#password').pressSequentially(password);
    await page.waitForFunction((w) => document.querySelector('#strength .strength-label').textContent.trim() !== w, weak);
    const strong = await meterLabel(page);
    assert.ok(strengthLabels.slice(3).includes(strong), `a strong passphrase is called strong: ${strong}`);
    assert.ok(Number(await page.getAttribute('#strength meter', 'value')) >= 3);
    await check(page, name, 'password-meter');
    await page.fill('#password_repeat', password);
    await follow(page, 'form.form button[type=submit]');

    // 4. The account.
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal((await page.textContent('h1')).trim(), 'Дарья Соколова');
    assert.equal((await page.textContent('.account-menu .account-name')).trim(), 'Дарья Соколова');
    assert.equal((await page.textContent('.account-menu .account-level')).trim(), text('identity.level.simplified'));
    await check(page, name, 'account');
    await follow(page, '.account-menu .account-level');
    assert.equal(new URL(page.url()).pathname, '/account/level');
    // (The table of levels on a phone has its own test below.)
    await check(page, name, 'level');
    await page.goto(url('/access?need=confirmed&next=%2F'));
    await check(page, name, 'access');

    // 5. Sign out with the header's button, and back in.
    await follow(page, '.signout-form button');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.locator('.account-menu').count(), 0);
    await page.goto(url('/access?need=standard&next=%2Faccount'));
    await check(page, name, 'access-anonymous');
    await follow(page, 'a.signin');
    assert.equal(new URL(page.url()).pathname, '/signin');
    await check(page, name, 'signin');
    await page.fill('#login', phone);
    await page.fill('#password', 'not the password');
    await follow(page, 'form.form button[type=submit]');
    assert.match(await page.textContent('#signin-message'), new RegExp(text('identity.error.wrong_credentials')));
    await check(page, name, 'signin-wrong');
    await page.fill('#password', password);
    await follow(page, 'form.form button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal((await page.textContent('.account-menu .account-name')).trim(), 'Дарья Соколова');
  } finally {
    await context.close();
  }
}

test('register by phone, see the meter, reach the account, sign out and in again', async () => {
  await walk('desktop');
});

test('the same in the version for the visually impaired', async () => {
  await walk('vi', { vi: true });
});

test('the same on a phone screen (390×844)', async () => {
  await walk('phone', { width: 390, height: 844 });
});

// ACC-3: on a phone the three-column table of levels turns into one block per
// level (column names as labels), so nothing scrolls sideways.
test('the table of levels fits a phone screen', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
  try {
    const page = await context.newPage();
    await page.goto(stack.url + '/account/level');
    assert.equal(await sideways(page), 0, '/account/level scrolls sideways on a phone');
  } finally {
    await context.close();
  }
});
