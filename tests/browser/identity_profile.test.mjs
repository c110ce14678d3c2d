// ID-2 in a real browser: register by phone, open "My details", fill the
// profile (first with mistakes, then right), send it for checking and watch
// the status change in place (the polling in app.js) until the account is
// standard; then a person whose passport was reported lost sees the reason.
// axe-core must find nothing on every page visited, at 1280 and 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { startRegistries, person } from '../support/registries.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';

const PASSPHRASE = 'violet harbour lantern quietly 1984 drums';
let reg, server, browser;

before(async () => {
  reg = await startRegistries();
  server = await startServer(['--registries-url', reg.url, '--job-poll-ms', '100', '--job-backoff-base', '1',
    '--job-backoff-cap', '2', '--data-key', 'cd'.repeat(32)]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await reg?.stop();
});

const setFault = (registry, fault) => fetch(`${reg.url}/admin/faults/${registry}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
}).then((r) => assert.equal(r.status, 200));

async function checkPage(page, name) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways`);
  await screenshot(page, `identity-profile-${name}`);
}

async function smsCode(phone) {
  for (let i = 0; i < 400; i++) {
    const j = await (await fetch(`${reg.url}/sms/messages?phone=${encodeURIComponent(phone)}`)).json();
    const m = j.messages.map((x) => x.text.match(/(\d{6})/)).find(Boolean);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no SMS code for ' + phone);
}

async function register(page, p) {
  await page.goto(server.url + '/signup');
  await checkPage(page, `signup-${p.id}`);
  await page.fill('#surname', p.surname);
  await page.fill('#name', p.name);
  await page.fill('#contact', p.phone);
  await follow(page, 'form.form button[type=submit]');
  await page.fill('#code', await smsCode(p.phone));
  await follow(page, 'form.form button[type=submit]');
  await page.fill('#password', PASSPHRASE);
  await page.fill('#password_repeat', PASSPHRASE);
  await follow(page, 'form.form button[type=submit]');
  assert.match(new URL(page.url()).pathname, /^\/account/);
}

async function fillProfile(page, p, overrides = {}) {
  const v = {
    patronymic: p.patronymic, birth_date: p.birth_date, birth_place: p.birth_place, snils: p.snils,
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date,
    issued_by: p.passport.issuer, department_code: p.passport.department_code, ...overrides,
  };
  for (const [field, value] of Object.entries(v)) await page.fill(`#${field}`, value);
  await page.check(`#gender-${p.gender}`);
  await page.selectOption('#citizenship', 'RU');
}

test('register, fill in with a mistake, correct it, send, and watch the checks pass', async () => {
  const p = person('p0001');
  {
    const context = await browser.newContext({ viewport: { width: 320, height: 900 }, locale: 'ru-RU' });
    const page = await context.newPage();
    await register(page, p);

    await page.goto(server.url + '/account/details');
    await checkPage(page, 'details-empty');
    assert.match(await page.textContent('main'), /Данные не отправлены на проверку/);
    await follow(page, 'a[href="/account/details/edit"]');
    await checkPage(page, 'edit');
    assert.equal(await page.inputValue('#surname'), p.surname, 'the names of the account are there');

    await fillProfile(page, p, { snils: '088-391-325 04', issued_by: '<script>alert(1)</script>' });
    await follow(page, 'button[value=submit]');
    await checkPage(page, 'edit-errors');
    assert.match(await page.textContent('#error-summary'), /Контрольное число СНИЛС/);
    assert.equal(await page.getAttribute('#snils', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#issued_by'), '<script>alert(1)</script>', 'shown back as typed text');
    await page.click('#error-summary a[href="#snils"]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'snils', 'the summary leads to the field');

    // A slow Pension Fund, so the page is seen while the check runs.
    await setFault('pfr', { latency_ms: 2500 });
    await fillProfile(page, p);
    await follow(page, 'button[value=submit]');
    assert.equal(new URL(page.url()).pathname, '/account/details');
    assert.match(await page.textContent('main'), /отправлены на проверку/);
    await checkPage(page, 'details-checking');

    // The page updates itself (app.js polls the API) until the checks end.
    await page.waitForFunction(() => {
      const box = document.querySelector('[data-verification-poll]');
      return box && box.getAttribute('data-verification-done') === 'true';
    }, null, { timeout: 30000 });
    await setFault('pfr', { latency_ms: 0 });
    assert.match(await page.textContent('[data-overall-label]'), /Проверка пройдена/);
    assert.match(await page.textContent('[data-step="pfr"] [data-step-label]'), /Проверено/);
    assert.match(await page.textContent('[data-step="fns"] [data-step-label]'), /ИНН получен/);

    await page.reload();
    await checkPage(page, 'details-passed');
    assert.ok((await page.textContent('main')).includes(p.inn));
    assert.match(await page.textContent('.account-level'), /Стандартная/);
    await context.close();
  }
});

test('a passport reported lost: the reason and what to do, through the pages', async () => {
  const p = person('p0003');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  await register(page, p);
  await page.goto(server.url + '/account/details/edit');
  await fillProfile(page, p);
  await follow(page, 'button[value=draft]');
  assert.match(await page.textContent('main'), /Данные сохранены/);
  await checkPage(page, 'details-draft');
  await follow(page, '.send-form button[type=submit]');
  await page.waitForFunction(() => {
    const box = document.querySelector('[data-verification-poll]');
    return !box || box.getAttribute('data-verification-done') === 'true';
  }, null, { timeout: 30000 });
  await page.reload();
  const text = await page.textContent('main');
  assert.match(text, /Проверка не пройдена/);
  assert.match(text, /Паспорт числится утраченным с \d{1,2} [а-я]+ \d{4}/);
  assert.match(text, /Получите новый паспорт/);
  await checkPage(page, 'details-failed');
  await context.close();
});
