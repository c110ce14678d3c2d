// The identity flows' rough edges in a real browser (issue 11): the activity
// page in words and readable at 1280 and 360 px with zero axe violations; the
// code page and the password page without JavaScript (a disabled resend
// button with its time, no empty strength bar); the error summary naming the
// fields in the form's order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startIdentityStack, uniquePhone, strongPassword, text } from '../support/identity.mjs';

let stack, browser;
before(async () => {
  stack = await startIdentityStack();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function freshPage({ javaScript = true, width = 1280 } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width, height: 800 }, locale: 'ru-RU' });
  return { page: await context.newPage(), context, close: () => context.close() };
}

async function assertClean(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${what}: ${JSON.stringify(violations, null, 2)}`);
}

// Starts a registration by phone by clicking; the page ends on the code step.
async function startSignup(page, phone) {
  await page.goto(stack.url + '/signup');
  await page.fill('#surname', 'Смирнова');
  await page.fill('#name', 'Анна');
  await page.fill('#contact', phone);
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /\/signup\/code$/);
}

test('the activity page is in words, fits 1280 and 360 px, and has no axe violations', async () => {
  const { page, close } = await freshPage();
  try {
    const phone = uniquePhone();
    await startSignup(page, phone);
    await page.fill('#code', await stack.nextSmsCode(phone));
    await follow(page, 'form.form button[type=submit]');
    const password = strongPassword();
    await page.fill('#password', password);
    await page.fill('#password_repeat', password);
    await follow(page, 'form.form button[type=submit]');
    // A failed sign-in and the end of other sessions give the log more kinds of entries.
    const other = await browser.newContext({ locale: 'ru-RU' });
    const p2 = await other.newPage();
    await p2.goto(stack.url + '/signin');
    await p2.fill('#login', phone);
    await p2.fill('#password', 'не тот пароль');
    await follow(p2, 'form.form button[type=submit]');
    await other.close();

    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(stack.url + '/account/activity');
      const words = await page.textContent('main');
      assert.ok(words.includes(text('security.action.registered')), 'registration in words');
      assert.ok(words.includes(text('security.action.signin_failed')), 'the failed sign-in in words');
      assert.doesNotMatch(words, /\b[a-z]+_[a-z_]+\b/, 'no internal codes');
      const overflow = await page.evaluate(() => {
        const wide = document.documentElement.scrollWidth > document.documentElement.clientWidth;
        const cut = [...document.querySelectorAll('.activity-entry')]
          .some((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5);
        return { wide, cut, entries: document.querySelectorAll('.activity-entry').length };
      });
      assert.ok(overflow.entries >= 3, `${width}px: the entries are shown`);
      assert.equal(overflow.wide, false, `${width}px: nothing wider than the screen`);
      assert.equal(overflow.cut, false, `${width}px: no entry is cut off`);
      await assertClean(page, `/account/activity at ${width}px`);
      await screenshot(page, `flows-activity-${width}`);
    }
  } finally {
    await close();
  }
});

test('without JavaScript: the resend button waits disabled with its time, and no empty strength bar', async () => {
  const { page, close } = await freshPage({ javaScript: false, width: 360 });
  try {
    const phone = uniquePhone();
    await startSignup(page, phone);
    const resend = page.locator('form.resend-form button[type=submit]');
    assert.equal(await resend.isDisabled(), true, 'the button cannot be pressed during the countdown');
    assert.match(await page.textContent('form.resend-form [data-countdown] .countdown'), /\d/, 'the time until it is available');
    assert.equal(await page.isVisible('form.resend-form a[href="/signup/code"]'), true, 'a reload link without JavaScript');

    await page.fill('#code', await stack.nextSmsCode(phone));
    await follow(page, 'form.form button[type=submit]');
    assert.match(page.url(), /\/signup\/password$/);
    assert.equal(await page.isVisible('#strength'), false, 'no empty strength bar without JavaScript');
    await page.fill('#password', 'qwerty');
    await page.fill('#password_repeat', 'qwerty');
    await follow(page, 'form.form button[type=submit]');
    assert.equal(await page.isVisible('#strength'), false, 'still none after a submit');
    assert.ok(await page.isVisible('#password-error'), 'the server says what is wrong instead');
  } finally {
    await close();
  }
});

test('with JavaScript the resend button also starts disabled, and the strength bar appears once there is a password', async () => {
  const { page, close } = await freshPage();
  try {
    const phone = uniquePhone();
    await startSignup(page, phone);
    assert.equal(await page.locator('form.resend-form button[type=submit]').isDisabled(), true);
    await assertClean(page, '/signup/code during the countdown');  // axe needs JavaScript to run
    await page.fill('#code', await stack.nextSmsCode(phone));
    await follow(page, 'form.form button[type=submit]');
    await page.fill('#password', 'qwerty');
    await page.waitForSelector('#strength:not([hidden])');
    assert.equal(await page.isVisible('#strength'), true, 'the live meter shows once there is something to rate');
    await assertClean(page, '/signup/password with the meter');
  } finally {
    await close();
  }
});

test('the error summary names each field in the order of the form', async () => {
  const { page, close } = await freshPage({ width: 360 });
  try {
    await page.goto(stack.url + '/signup');
    await follow(page, 'form.form button[type=submit]');
    const items = await page.$$eval('#error-summary li a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
    assert.deepEqual(items.map(([h]) => h), ['#surname', '#name', '#contact']);
    for (const [href, words] of items)
      assert.ok(words.startsWith(text(`flows.field.${href.slice(1)}`) + ':'), `"${words}" names its field`);
    await assertClean(page, '/signup with errors');
  } finally {
    await close();
  }
});
