// ID-3(c) in a real browser at phone width (360 px): from "My details" to
// the signature page, a challenge, a refused upload (a certificate instead of
// a signature) with its message, then the
// demo person's GOST signature made by scripts/demo-qes.sh uploaded as a file:
// the account is confirmed; axe-core must find nothing on every page. Then
// the same journey with JavaScript switched off (axe itself needs it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, waitFor } from '../support/server.mjs';
import { person } from '../support/registries.mjs';
import { startIdentityStack, registerViaApi, uniquePhone, text } from '../support/identity.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';

const script = path.join(root, 'scripts/demo-qes.sh');
let ca, stack, browser;

before(async () => {
  ca = mkdtempSync(path.join(tmpdir(), 'uslugi-qes-'));
  execFileSync(script, ['issue', ca], { stdio: 'ignore' });
  stack = await startIdentityStack({ extraArgs: ['--qes-trust-dir', path.join(ca, 'trust')] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  if (ca) rmSync(ca, { recursive: true, force: true });
});

async function checkPage(page, name) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways`);
  await screenshot(page, `identity-signature-${name}`);
}

// Demo person `id` at the standard level, set up through the API; the browser gets its session cookie.
async function standardSession(id) {
  const p = person(id);
  const client = stack.client();
  await registerViaApi(stack, client, { surname: p.surname, name: p.name, contact: uniquePhone() });
  const put = await client.api('PUT', '/api/v1/account/profile', {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender, birth_date: p.birth_date,
    birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship, document_type: 'passport_rf',
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date,
    issued_by: p.passport.issuer, department_code: p.passport.department_code, submit: true,
  });
  assert.ok([200, 202].includes(put.status), put.body);
  await waitFor(async () => (await client.api('GET', '/api/v1/account')).json.level, (l) => l === 'standard',
    { what: 'the standard level', timeoutMs: 30000 });
  return client;
}

// From "My details" to a confirmed account, as a person clicks through it.
// `check(page, name)` runs on every page (axe needs JavaScript; the run
// without it passes a no-op).
async function journey(page, client, certificate, check) {
  await page.goto(stack.url + '/account/details');
  await check(page, 'details');
  await follow(page, 'a[data-confirm-way="qualified_signature"]');
  assert.equal(new URL(page.url()).pathname, '/account/confirm/signature');
  await check(page, 'start');

  await follow(page, 'form[action="/account/confirm/signature/challenge"] button[type=submit]');
  const challenge = await page.inputValue('#qes-challenge');
  assert.match(challenge, /^uslugi identity confirmation/);
  await check(page, 'challenge');

  // A certificate is not a signature: the page says so and keeps the challenge.
  await page.setInputFiles('#signature_file', path.join(ca, `${certificate}.pem`));
  await follow(page, 'form[enctype="multipart/form-data"] button[type=submit]');
  assert.equal(await page.getAttribute('#qes-error', 'data-error-code'), 'not_a_signature');
  assert.ok((await page.textContent('#qes-error')).includes(text('identity_signature.error.not_a_signature')));
  assert.equal(await page.inputValue('#qes-challenge'), challenge);
  await check(page, 'refused');

  const input = path.join(ca, `challenge-${certificate}.txt`);
  writeFileSync(input, challenge);
  execFileSync(script, ['sign', ca, certificate, input, `${input}.sig`], { stdio: 'ignore' });
  await page.setInputFiles('#signature_file', `${input}.sig`);
  await follow(page, 'form[enctype="multipart/form-data"] button[type=submit]');
  assert.ok(await page.isVisible('[data-qes-done]'), 'the success message is shown');
  await check(page, 'done');
  assert.equal((await client.api('GET', '/api/v1/account')).json.level, 'confirmed');
}

async function contextFor(client, options) {
  const context = await browser.newContext({ locale: 'ru-RU', extraHTTPHeaders: { 'X-Forwarded-For': client.ip }, ...options });
  const url = new URL(stack.url);
  await context.addCookies([{ name: 'sid', value: client.sid, domain: url.hostname, path: '/', httpOnly: true }]);
  return context;
}

test('360 px: My details → challenge → a refused upload → a GOST signature confirms; axe finds nothing', async () => {
  const client = await standardSession('p0001');
  const context = await contextFor(client, { viewport: { width: 360, height: 800 } });
  await journey(await context.newPage(), client, 'person', checkPage);
  await context.close();
});

test('the same without JavaScript: plain forms and a multipart upload', async () => {
  const client = await standardSession('p0002');
  const context = await contextFor(client, { viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
  await journey(await context.newPage(), client, 'other', async () => {});
  await context.close();
});
