// Account settings and recovery (ID-6) in a real browser: every settings and
// recovery page has zero axe-core violations (with and without errors shown),
// and a password change works by clicking, with and without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, waitFor } from '../support/server.mjs';
import { startRegistries, people } from '../support/registries.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { base32Decode, totpAt } from '../support/totp.mjs';

const totp = (base32, unixSeconds) => totpAt(base32Decode(base32), unixSeconds);

const PASSWORD = 'синий трамвай едет в депо';
const NEW_PASSWORD = 'зелёный слон читает утреннюю газету';

let server, sandbox, browser;
before(async () => {
  sandbox = await startRegistries();
  server = await startServer(['--registries-url', sandbox.url, '--job-poll-ms', '50']);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await sandbox?.stop();
});

async function freshPage({ javaScript = true, width = 1280 } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width, height: 900 }, locale: 'ru-RU' });
  return { page: await context.newPage(), close: () => context.close() };
}

const smsTo = async (phone) =>
  (await (await fetch(`${sandbox.url}/sms/messages?phone=${encodeURIComponent(phone)}`)).json()).messages;

async function newestCode(phone, seen) {
  const list = await waitFor(() => smsTo(phone), (l) => l.length > seen, { what: `an SMS to ${phone}` });
  return list[0].text.match(/\b(\d{6})\b/)[1];
}

// Registers by clicking through the sign-up pages; the page ends signed in.
async function register(page, phone) {
  await page.goto(server.url + '/signup');
  await page.fill('#surname', 'Смирнова');
  await page.fill('#name', 'Анна');
  await page.fill('#contact', phone);
  const seen = (await smsTo(phone)).length;
  await follow(page, 'form.form button[type=submit]');
  await page.fill('#code', await newestCode(phone, seen));
  await follow(page, 'form.form button[type=submit]');
  await page.fill('#password', PASSWORD);
  await page.fill('#password_repeat', PASSWORD);
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /\/account/);
}

async function assertClean(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${what}: ${JSON.stringify(violations, null, 2)}`);
}

// Types the password into the "confirm it is you" form of the two-step settings.
async function reauthenticate(page) {
  await page.goto(server.url + '/account/security/two-factor');
  await page.fill('#password', PASSWORD);
  await follow(page, 'form[aria-labelledby=reauth-title] button[type=submit]');
}


test('every settings page has zero axe violations, with and without errors', async () => {
  const { page, close } = await freshPage();
  await register(page, people[0].phone);
  for (const path of ['/account/security', '/account/security/password', '/account/security/question',
    '/account/security/two-factor', '/account/security/contacts',
    '/account/security/sessions', '/account/activity', '/account/access-log', '/account/security/delete']) {
    await page.goto(server.url + path);
    await assertClean(page, path);
  }
  // A wrong password on the "confirm it is you" form, then the right one opens the changes.
  await page.goto(server.url + '/account/security/two-factor');
  await page.fill('#password', 'не тот пароль');
  await follow(page, 'form[aria-labelledby=reauth-title] button[type=submit]');
  assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
  await assertClean(page, 'two-step settings with a wrong password');
  await reauthenticate(page);
  assert.equal(await page.locator('a[href="/account/security/two-factor/app"]').count(), 1);
  await assertClean(page, 'two-step settings after re-authentication');
  await page.goto(server.url + '/account/security/two-factor/app');
  await assertClean(page, '/account/security/two-factor/app');
  assert.equal(await page.locator('svg.qr-code[role=img]').count(), 1);
  await screenshot(page, 'security-totp');

  // Forms sent back with errors.
  await page.goto(server.url + '/account/security/password');
  await page.fill('#current_password', 'не тот пароль');
  await page.fill('#password', 'коротко');
  await follow(page, 'form.form button[type=submit]');
  assert.equal(await page.getAttribute('#current_password', 'aria-invalid'), 'true');
  await assertClean(page, 'password form with errors');
  await page.goto(server.url + '/account/security/contacts');
  await page.fill('#email', 'not-an-email');
  await follow(page, 'form[aria-labelledby=email-title] button[type=submit]');
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  await assertClean(page, 'contacts form with errors');
  await page.goto(server.url + '/account/security/delete');
  await follow(page, 'form.form button[type=submit]');
  await assertClean(page, 'delete form with errors');

  // English too.
  await page.goto(server.url + '/prefs/lang/en?next=/account/security');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('h1'), /Security/);
  await assertClean(page, '/account/security in English');
  await close();
});

test('the recovery pages have zero axe violations', async () => {
  const { page, close } = await freshPage();
  await page.goto(server.url + '/recover');
  await assertClean(page, '/recover');
  await page.fill('#contact', '+7 999 000-00-01');
  await follow(page, 'form[aria-labelledby=by-contact] button[type=submit]');
  assert.match(page.url(), /\/recover\/code$/);
  await assertClean(page, '/recover/code');
  await page.fill('#code', '123456');
  await follow(page, 'form.form button[type=submit]');
  await assertClean(page, '/recover/code with a wrong code');
  await page.goto(server.url + '/recover');
  await page.fill('#id_value', '112-233-445 95');
  await page.selectOption('#question', 'first_pet');
  await page.fill('#answer', 'Рыжик');
  await follow(page, 'form[aria-labelledby=by-question] button[type=submit]');
  assert.match(await page.textContent('[role=alert]'), /Данные не совпадают/);
  await assertClean(page, '/recover/question mismatch');
  await close();
});

test('recovering an account with an authenticator app asks for its code; the pages have zero axe violations', async () => {
  const phone = people[3].phone;
  const { page, close } = await freshPage();
  await register(page, phone);
  await reauthenticate(page);
  await page.goto(server.url + '/account/security/two-factor/app');
  const key = (await page.textContent('#totp-secret')).trim();
  await page.fill('#code', totp(key, Date.now() / 1000));
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /done=two_factor_on$/);
  await follow(page, '.signout-form button');

  await page.goto(server.url + '/recover');
  await page.fill('#contact', phone);
  const seen = (await smsTo(phone)).length;
  await follow(page, 'form[aria-labelledby=by-contact] button[type=submit]');
  await page.fill('#code', await newestCode(phone, seen));
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /\/recover\/second$/);
  await assertClean(page, '/recover/second');
  assert.equal(await page.locator('a[href="/centres"]').count(), 1);
  await page.fill('#code', totp(key, Date.now() / 1000 - 3600));
  await follow(page, 'form.form button[type=submit]');
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
  await assertClean(page, '/recover/second with a wrong code');
  await page.fill('#code', totp(key, Date.now() / 1000 + 30));
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /\/recover\/password$/);
  await page.fill('#password', NEW_PASSWORD);
  await page.fill('#password_repeat', NEW_PASSWORD);
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /done=recovered$/);
  await close();
});

for (const javaScript of [true, false]) {
  test(`changing the password by clicking (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
    const phone = javaScript ? people[1].phone : people[2].phone;
    const { page, close } = await freshPage({ javaScript, width: 375 });
    await register(page, phone);
    await page.goto(server.url + '/account/security');
    await follow(page, 'a[href="/account/security/password"]');
    await page.fill('#current_password', PASSWORD);
    await page.fill('#password', NEW_PASSWORD);
    if (javaScript) {
      // The live meter rates the new password as it is typed.
      await page.waitForSelector('#strength:not([hidden])');
      assert.match(await page.textContent('#strength .strength-label'), /надёжный/i);
    }
    await page.fill('#password_repeat', NEW_PASSWORD);
    await follow(page, 'form.form button[type=submit]');
    assert.match(page.url(), /\/account\/security\?done=password$/);
    assert.match(await page.textContent('[role=status]'), /Пароль изменён/);
    // axe runs as page script, which this context forbids: the run with JavaScript checks it.
    if (javaScript) await assertClean(page, 'security page after the change');

    // Sign out, then the old password fails and the new one works.
    await follow(page, '.signout-form button');
    await page.goto(server.url + '/signin');
    await page.fill('#login', phone);
    await page.fill('#password', PASSWORD);
    await follow(page, 'form.form button[type=submit]');
    assert.match(await page.textContent('[role=alert]'), /Неверный логин или пароль/);
    await page.fill('#password', NEW_PASSWORD);
    await follow(page, 'form.form button[type=submit]');
    assert.match(page.url(), /\/account$/);
    await close();
  });
}
