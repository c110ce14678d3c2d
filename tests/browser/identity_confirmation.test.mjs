// ID-3 in a real browser without JavaScript, at phone width (360 px): the
// page of the ways to confirm (nearest centres first, the letter form, the
// bank), the letter form's errors, and the operator's pages (search, the
// person's card, the confirmation, registration on the spot). axe-core must
// find nothing on any of them, and nothing may scroll sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { binary, root, startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries, person } from '../support/registries.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { Client, nextSmsCode, registerViaApi, strongPassword } from '../support/identity.mjs';

const dataKey = randomBytes(32).toString('hex');
let reg, server, database, browser;

before(async () => {
  reg = await startRegistries();
  database = freshDatabase();
  const seeded = spawnSync(binary, ['seed', '--database', database.url], { cwd: root, encoding: 'utf8' });
  assert.equal(seeded.status, 0, seeded.stderr);
  server = await startServer(['--trust-proxy', '--registries-url', reg.url, '--job-poll-ms', '100',
    '--data-key', dataKey], { database });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await reg?.stop();
  database?.drop();
});

// axe-core runs in the page, so pages opened without JavaScript are checked for
// width only; every page is also visited with JavaScript for axe.
async function checkPage(page, name) {
  if (page.axe) {
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways`);
  await screenshot(page, `identity-confirmation-${name}`);
}

async function phonePage({ javaScript = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 900 }, locale: 'ru-RU', javaScriptEnabled: javaScript });
  const page = await context.newPage();
  page.axe = javaScript;
  return page;
}

async function signIn(page, login, password) {
  await page.goto(server.url + '/signin');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await follow(page, 'form.form button[type=submit]');
}

const stack = {
  nextSmsCode: (phone, seen) => nextSmsCode(reg, phone, seen),
};

test('a standard account sees every way, nearest centres first, and the letter form explains its errors', async () => {
  const p = person('p0011');
  const c = new Client(server.url);
  const password = strongPassword();
  await registerViaApi(stack, c, { surname: p.surname, name: p.name, contact: p.phone, password });
  const put = await c.api('PUT', '/api/v1/account/profile', {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender, birth_date: p.birth_date,
    birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship, document_type: 'passport_rf',
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date,
    issued_by: p.passport.issuer, department_code: p.passport.department_code, submit: true,
  });
  assert.equal(put.status, 202);
  await waitFor(async () => (await c.api('GET', '/api/v1/account')).json, (a) => a.level === 'standard',
    { what: 'the standard level', timeoutMs: 30000 });

  for (const javaScript of [true, false]) await waysPage(p, password, javaScript);
});

async function waysPage(p, password, javaScript) {
  const page = await phonePage({ javaScript });
  await signIn(page, p.phone, password);
  await page.goto(server.url + '/account/details');
  await checkPage(page, 'details');
  await follow(page, 'a[href="/account/confirm"]');
  assert.equal(new URL(page.url()).pathname, '/account/confirm');
  const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.id));
  assert.deepEqual(headings.slice(0, 3), ['way-centre', 'way-mail', 'way-bank'], 'the centres come first');
  assert.ok(await page.$$eval('.centre-list li', (li) => li.length) > 0, 'nearest centres are listed');
  await checkPage(page, 'ways');

  await page.fill('#postcode', '12');
  await follow(page, 'form[action="/account/confirm/mail"] button[type=submit]');
  assert.ok(await page.$('#postcode[aria-invalid="true"]'), 'the postcode is marked');
  assert.ok(await page.$('#city[aria-invalid="true"]'), 'the missing city is marked');
  await checkPage(page, 'letter-errors');
  await page.context().close();
}

test('the operator searches, sees the card, confirms and registers without JavaScript at 360 px', async () => {
  const email = `op-${randomBytes(3).toString('hex')}@example.org`;
  const out = spawnSync(binary, ['admin', 'create-staff', '--role', 'operator', '--scope', 'mfc-perm-lenina-51',
    '--surname', 'Петрова', '--name', 'Ольга', '--email', email, '--database', database.url, '--data-key', dataKey],
  { cwd: root, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const password = out.stdout.match(/one-time password[^:]*: (\S+)/)[1];
  // With JavaScript (axe) the person is only found; without it the operator confirms.
  await operatorPages(email, password, true);
  await operatorPages(email, password, false);
});

async function operatorPages(email, password, javaScript) {
  const page = await phonePage({ javaScript });
  await signIn(page, email, password);
  await page.goto(server.url + '/operator');
  await checkPage(page, 'operator-search');

  await page.fill('#value', '123');
  await follow(page, 'form[action="/operator/search"] button[type=submit]');
  assert.ok(await page.$('#value[aria-invalid="true"]'));
  await checkPage(page, 'operator-search-error');

  const p = person('p0011');  // made standard by the test before
  await page.check('#kind-snils');
  await page.fill('#value', p.snils);
  await follow(page, 'form[action="/operator/search"] button[type=submit]');
  assert.ok((await page.textContent('[data-person-name]')).includes(p.surname));
  await checkPage(page, 'operator-person');
  if (javaScript) return page.context().close();
  await page.check('#passport_checked');
  await page.fill('#passport', `${p.passport.series} ${p.passport.number}`);
  await follow(page, 'form[action="/operator/confirm"] button[type=submit]');
  assert.ok(await page.$('.notice.success[data-operator-result]'));
  await checkPage(page, 'operator-confirmed');

  await page.goto(server.url + '/operator/register');
  await checkPage(page, 'operator-register');
  await follow(page, 'form[action="/operator/register"] button[type=submit]');
  assert.ok(await page.$('.error-summary'));
  await checkPage(page, 'operator-register-errors');
  await page.context().close();
}
