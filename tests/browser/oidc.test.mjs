// Single sign-on in a real browser at phone width and without JavaScript:
// the consent screen, the way back to the site (also after signing in on our
// own form, which form-action 'self' would otherwise stop), the level page,
// and "Sites that have access" with revoke — axe-core 0 violations on each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries } from '../support/registries.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { uniquePhone, typedPhone } from '../support/identity.mjs';
import { oidc, addClient } from '../support/oidc.mjs';

const PASSWORD = 'синий трамвай едет в депо';
let server, sandbox, browser, database, site, siteUrl;

before(async () => {
  sandbox = await startRegistries();
  database = freshDatabase();
  server = await startServer(['--registries-url', sandbox.url, '--job-poll-ms', '50'], { database });
  // The relying party's callback: a page that shows what it got.
  site = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>site</title><p>callback</p>'); });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${site.address().port}`;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  site?.closeAllConnections();
  site?.close();
  await server?.stop();
  await sandbox?.stop();
  database?.drop();
});

async function assertClean(page, what) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${what}: ${JSON.stringify(violations, null, 2)}`);
}

const smsTo = async (phone) =>
  (await (await fetch(`${sandbox.url}/sms/messages?phone=${encodeURIComponent(phone)}`)).json()).messages;

async function register(page, phone) {
  await page.goto(server.url + '/signup');
  await page.fill('#surname', 'Смирнова');
  await page.fill('#name', 'Анна');
  await page.fill('#contact', typedPhone(phone));
  await follow(page, 'form.form button[type=submit]');
  const list = await waitFor(() => smsTo(phone), (l) => l.length > 0, { what: `an SMS to ${phone}` });
  await page.fill('#code', list[0].text.match(/\b(\d{6})\b/)[1]);
  await follow(page, 'form.form button[type=submit]');
  await page.fill('#password', PASSWORD);
  await page.fill('#password_repeat', PASSWORD);
  await follow(page, 'form.form button[type=submit]');
  assert.match(page.url(), /\/account/);
}

async function authorizeUrl(clientId, scope) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL(server.url + '/oidc/authorize');
  const params = { client_id: clientId, redirect_uri: siteUrl + '/cb', response_type: 'code', scope, state: 'st-' + Date.now(),
    nonce: oidc.randomNonce(), code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url: url.href, state: params.state };
}

test('consent, return to the site, sign-in on the way, and revoking on "Sites that have access" — at 360 px', async () => {
  const client = await addClient(database, { scopes: 'openid fullname snils mobile', redirect: siteUrl + '/cb', name: 'Портал Тульской области' });
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    const phone = uniquePhone();
    await register(page, phone);

    const first = await authorizeUrl(client.id, 'openid fullname snils');
    await page.goto(first.url);
    assert.equal(await page.textContent('h1'), 'Разрешить доступ сайту «Портал Тульской области»');
    const items = await page.$$eval('.consent-items strong', (els) => els.map((e) => e.textContent));
    assert.deepEqual(items, ['Фамилия, имя и отчество', 'СНИЛС']);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no sideways scrolling at 360 px (${width})`);
    await assertClean(page, 'consent');
    await screenshot(page, 'oidc-consent-360');
    await follow(page, 'button[value=allow]');
    const back = new URL(page.url());
    assert.equal(back.origin + back.pathname, siteUrl + '/cb');
    assert.equal(back.searchParams.get('state'), first.state);
    assert.ok(back.searchParams.get('code'));

    // Signed out, the site sends the user again: our sign-in form, then back to the site by itself.
    await page.goto(server.url + '/account');
    await follow(page, '.signout-form button');
    const second = await authorizeUrl(client.id, 'openid fullname');
    await page.goto(second.url);
    assert.match(page.url(), /\/signin\?next=/);
    await page.fill('#login', phone);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(siteUrl)), page.click('form button[type=submit]')]);
    assert.equal(new URL(page.url()).searchParams.get('state'), second.state);

    await page.goto(server.url + '/account/security');
    await follow(page, 'a[href="/account/sites"]');
    assert.match(await page.textContent('.site-list'), /Портал Тульской области/);
    assert.match(await page.textContent('.site-list'), /СНИЛС/);
    await assertClean(page, 'sites');
    await screenshot(page, 'oidc-sites-360');
    await follow(page, '.site-list button.danger');
    assert.match(await page.textContent('.notice.success'), /Доступ отозван/);
    assert.equal(await page.$('.site-list'), null);
    await assertClean(page, 'sites after revoke');

    // The revoked consent is asked for again.
    await page.goto((await authorizeUrl(client.id, 'openid fullname')).url);
    assert.ok(await page.$('button[value=allow]'));
    await follow(page, 'button[value=deny]');
    assert.equal(new URL(page.url()).searchParams.get('error'), 'access_denied');
  } finally {
    await context.close();
  }
});

test('a site that needs a higher level: the page says what is missing and links the way up and back', async () => {
  const client = await addClient(database, { minLevel: 'standard', redirect: siteUrl + '/cb', name: 'Запись к врачу' });
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    await register(page, uniquePhone());
    const req = await authorizeUrl(client.id, 'openid');
    const res = await page.goto(req.url);
    assert.equal(res.status(), 403);
    assert.match(await page.textContent('main'), /Запись к врачу/);
    assert.ok(await page.$('a[href^="/access?need=standard"]'));
    await assertClean(page, 'level');
    await screenshot(page, 'oidc-level-360');
  } finally {
    await context.close();
  }
});

test('without JavaScript: allowing on the consent screen and revoking on the sites page work by plain forms', async () => {
  const client = await addClient(database, { scopes: 'openid fullname', redirect: siteUrl + '/cb', name: 'Налоговый кабинет' });
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 800 }, locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    await register(page, uniquePhone());
    const req = await authorizeUrl(client.id, 'openid fullname');
    await page.goto(req.url);
    await follow(page, 'button[value=allow]');
    assert.equal(new URL(page.url()).searchParams.get('state'), req.state);
    await page.goto(server.url + '/account/sites');
    assert.match(await page.textContent('.site-list'), /Налоговый кабинет/);
    await follow(page, '.site-list button.danger');
    assert.match(await page.textContent('.notice.success'), /Доступ отозван/);
  } finally {
    await context.close();
  }
});
