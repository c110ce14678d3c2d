// ID-5 in a real browser with JavaScript off, at phone width (360 px): the
// head registers an organisation and invites an employee; the employee
// accepts, switches to the organisation with the menu by the name in the
// header, and back. axe-core must find nothing on every page visited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, freshDatabase, startServer } from '../support/server.mjs';
import { Client, scalar, registerViaApi, nextSmsCode } from '../support/identity.mjs';
import { person, organisations, startRegistries } from '../support/registries.mjs';

// The portal with the demo catalog (the services an employee may be given)
// and the registries sandbox; registration is by phone, so no SMTP is needed.
async function startSeededStack() {
  const database = freshDatabase();
  const registries = await startRegistries();
  const server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
    '--job-backoff-base', '1', '--job-backoff-cap', '2', '--data-key', 'ef'.repeat(32)], { database, seed: true });
  return {
    server, registries, database, url: server.url,
    scalar: (sql) => scalar(database, sql),
    client: () => new Client(server.url),
    nextSmsCode: (phone, seen) => nextSmsCode(registries, phone, seen),
    async stop() { await server.stop(); await registries.stop(); database.drop(); },
  };
}
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';

let stack, browser;

before(async () => {
  stack = await startSeededStack();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

// axe-core runs inside the page, so it cannot run where JavaScript is off: the
// no-JavaScript page's current HTML (what the user sees, with any <details>
// they opened) is loaded into a twin page with JavaScript, same URL, same
// width, and checked there.
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
  await screenshot(page, `organisations-${name}`);
}

// A demo person's account, checked to standard by the sandbox and confirmed by the test route.
async function confirmedPerson(id) {
  const p = person(id);
  const client = stack.client();
  const { password } = await registerViaApi(stack, client, { surname: p.surname, name: p.name, contact: p.phone });
  const profile = {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender, birth_date: p.birth_date,
    birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship, document_type: 'passport_rf',
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date,
    issued_by: p.passport.issuer, department_code: p.passport.department_code, submit: true,
  };
  assert.equal((await client.api('PUT', '/api/v1/account/profile', profile)).status, 202);
  await waitFor(async () => (await client.api('GET', '/api/v1/account/verification')).json,
    (v) => v.state === 'passed' && !v.running, { what: `the checks of ${id}`, timeoutMs: 30000 });
  const r = await fetch(`${stack.url}/test/organisations/confirm-identity`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: p.phone }),
  });
  assert.equal((await r.json()).outcome, 'confirmed');
  return { p, password };
}

async function signedInPage(who) {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'ru-RU', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(stack.url + '/signin');
  await page.fill('#login', who.p.phone);
  await page.fill('#password', who.password);
  await follow(page, 'form.form button[type=submit]');
  return page;
}

test('an organisation, an employee and the switcher, without JavaScript at 360 px', async () => {
  const [head, employee] = await Promise.all([confirmedPerson('p0051'), confirmedPerson('p0001')]);
  const org = organisations.find((o) => o.kind === 'legal' && o.head.person_id === 'p0051');

  const hp = await signedInPage(head);
  await hp.goto(stack.url + '/organisations');
  await checkPage(hp, 'list-empty');
  await follow(hp, 'a[href="/organisations/new"]');
  await checkPage(hp, 'new');
  await hp.fill('#id', '1234567890123');
  await follow(hp, 'form.form button[type=submit]');
  assert.equal(await hp.getAttribute('#id', 'aria-invalid'), 'true');
  await checkPage(hp, 'new-error');
  await hp.fill('#id', org.ogrn);
  await follow(hp, 'form.form button[type=submit]');
  assert.match(new URL(hp.url()).pathname, /^\/organisations\/\d+$/);
  assert.equal(await hp.textContent('h1'), org.short_name);
  await checkPage(hp, 'view-head');
  const orgPath = new URL(hp.url()).pathname;

  await hp.fill('#login', employee.p.phone);
  await hp.check('#role-employee');
  await hp.click('details.service-picker summary');
  await hp.check('input[name=services] >> nth=0');
  await follow(hp, `form[action="${orgPath}/members"] button[type=submit]`);
  assert.ok((await hp.textContent('main')).includes('Приглашение отправлено'));
  await checkPage(hp, 'view-invited');

  // The member's page (role and services) and a failed invitation, in every language.
  await follow(hp, 'table.data-table a[href*="/members/"]');
  await checkPage(hp, 'member');
  for (const lang of ['en', 'de', 'fr', 'ru']) {
    await hp.goto(`${stack.url}/prefs/lang/${lang}?next=${orgPath}`);
    assert.equal(await hp.getAttribute('html', 'lang'), lang);
    await hp.fill('#login', '+79990000000');
    await follow(hp, `form[action="${orgPath}/members"] button[type=submit]`);
    assert.equal(await hp.getAttribute('#login', 'aria-invalid'), 'true');
    await checkPage(hp, `invite-failed-${lang}`);
  }
  await hp.goto(stack.url + '/account/entrepreneur');
  await hp.fill('#ogrnip', '304500116000158');
  await follow(hp, 'form.form button[type=submit]');
  assert.equal(await hp.getAttribute('#ogrnip', 'aria-invalid'), 'true');
  await checkPage(hp, 'entrepreneur-error');

  const ep = await signedInPage(employee);
  await ep.goto(stack.url + '/organisations');
  await checkPage(ep, 'list-invitation');
  await follow(ep, 'form[action$="/accept"] button');
  assert.equal(new URL(ep.url()).pathname, orgPath);
  await checkPage(ep, 'view-employee');

  // The quick menu by the name: a <details> with one form button per choice.
  await ep.goto(stack.url + '/account');
  await ep.click('details.account-switch summary');
  await checkPage(ep, 'switcher-open');
  await follow(ep, `details.account-switch button[value="${orgPath.split('/').pop()}"]`);
  assert.equal(new URL(ep.url()).pathname, orgPath);
  assert.equal((await ep.textContent('.acting-for')).trim().endsWith(org.short_name), true);
  await checkPage(ep, 'acting-for');
  await ep.click('details.account-switch summary');
  await follow(ep, 'details.account-switch button[value="personal"]');
  assert.equal(await ep.locator('.acting-for').count(), 0);
});

test('a foreign citizen fills the profile without JavaScript, in every language', async () => {
  const client = stack.client();
  const phone = `+7999${String(Date.now()).slice(-7)}`;
  const { password } = await registerViaApi(stack, client, { surname: 'Вагнер', name: 'Лукас', contact: phone });
  const page = await signedInPage({ p: { phone }, password });
  for (const lang of ['en', 'de', 'fr', 'ru']) {
    await page.goto(`${stack.url}/prefs/lang/${lang}?next=/account/foreign`);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await checkPage(page, `foreign-${lang}`);
  }
  await page.fill('#surname_latin', 'Вагнер');
  await page.fill('#name_latin', 'Lukas');
  await page.fill('#surname_cyrillic', 'Вагнер');
  await page.fill('#name_cyrillic', 'Лукас');
  await page.fill('#birth_date', '1985-11-02');
  await page.selectOption('#citizenship', 'DE');
  await page.fill('#document_number', 'C01X00T47');
  await page.fill('#issue_date', '2019-08-01');
  await page.fill('#expiry_date', '2029-07-31');
  await follow(page, 'form.form button[type=submit]');
  assert.equal(await page.getAttribute('#surname_latin', 'aria-invalid'), 'true');
  await checkPage(page, 'foreign-error');
  await page.fill('#surname_latin', 'Wagner');
  await follow(page, 'form.form button[type=submit]');
  assert.equal(new URL(page.url()).pathname, '/account/foreign');
  assert.ok((await page.textContent('main')).includes('стандартная'));
  await checkPage(page, 'foreign-valid');
});
