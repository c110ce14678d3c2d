// The operator's page of relying parties in a real browser at 360 px, by
// plain form posts (axe needs JavaScript to run, so the context keeps it on): the list and form, a field message, the secret shown once and
// the removal confirmation — axe-core 0 violations on each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, freshDatabase, runCli } from '../support/server.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';

const key = randomBytes(32).toString('hex');
const email = `sso${Date.now().toString(36)}@example.org`;
const password = 'зелёный паром плывёт к дальнему берегу';
let server, browser, database, tmp;

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'uslugi-sso-'));
  database = freshDatabase();
  server = await startServer(['--data-key', key], { database });
  const file = path.join(tmp, 'password');
  writeFileSync(file, password);
  const r = await runCli(['admin', 'create-staff', '--database', database.url, '--data-key', key, '--role', 'sso',
    '--surname', 'Орлова', '--name', 'Вера', '--email', email, '--password-file', file]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  database?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function checkPage(page, name) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`);
  await screenshot(page, `oidc-clients-${name}`);
}

test('an sso operator registers a site, sees its secret once and removes it — at 360 px, plain forms only', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    await page.goto(server.url + '/oidc/clients');
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.fill('#login', email);
    await page.fill('#password', password);
    await follow(page, 'form.form button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/oidc/clients');
    await checkPage(page, 'empty');

    await page.fill('#name', 'Портал Калужской области');
    await page.fill('#id', 'kaluga');
    await page.fill('#redirect_uris', 'http://kaluga.example/cb');
    await page.check('#scope-snils');
    await follow(page, 'form[action="/oidc/clients"] button[type=submit]');
    assert.match(await page.textContent('#redirect_uris-error'), /https:\/\//);
    assert.equal(await page.inputValue('#name'), 'Портал Калужской области', 'what was typed is kept');
    assert.equal(await page.isChecked('#scope-snils'), true);
    await checkPage(page, 'bad-input');

    await page.fill('#redirect_uris', 'https://kaluga.example/cb');
    await follow(page, 'form[action="/oidc/clients"] button[type=submit]');
    assert.equal(await page.textContent('#client-id'), 'kaluga');
    const secret = await page.inputValue('#client-secret');
    assert.ok(secret.length >= 32);
    await checkPage(page, 'secret');

    await page.goto(server.url + '/oidc/clients');
    assert.match(await page.textContent('.client-list'), /openid snils|fullname/);
    assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
    await checkPage(page, 'list');

    await follow(page, '.client-list form[action="/oidc/clients/remove"] button');
    await checkPage(page, 'remove');
    await follow(page, 'form[action="/oidc/clients/remove"] button[type=submit]');
    assert.equal(new URL(page.url()).search, '?done=removed');
    assert.equal(await page.$('.client-list'), null);
  } finally {
    await context.close();
  }
});
