// Utilities invoices and refunds in a real browser at 360 px by plain form
// posts: anyone finds an invoice by account number (the services table fits
// the phone), a payments operator finds a paid payment and refunds part of it.
// axe-core 0 violations on every page visited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, freshDatabase, runCli, waitFor } from '../support/server.mjs';
import { startRegistries, people } from '../support/registries.mjs';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { Client, registerViaApi, uniquePhone } from '../support/identity.mjs';

const key = randomBytes(32).toString('hex');
const email = `pay${Date.now().toString(36)}@example.org`;
const password = 'жёлтый трамвай едет вдоль реки';
let registries, server, browser, database, tmp;

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'uslugi-paymore-'));
  registries = await startRegistries();
  database = freshDatabase();
  server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--data-key', key], { database });
  const file = path.join(tmp, 'password');
  writeFileSync(file, password);
  const r = await runCli(['admin', 'create-staff', '--database', database.url, '--data-key', key, '--role', 'payments',
    '--surname', 'Рублёва', '--name', 'Анна', '--email', email, '--password-file', file]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await registries?.stop();
  database?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function checkPage(page, name) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`);
  await screenshot(page, `payments-more-${name}`);
}

// A citizen's card payment of a fine, made over the API: its id.
async function paidByCard() {
  const smsTo = async (p) => (await (await fetch(`${registries.url}/sms/messages?phone=${encodeURIComponent(p)}`)).json()).messages;
  const client = new Client(server.url);
  await registerViaApi({ nextSmsCode: async (p) => (await waitFor(() => smsTo(p), (m) => m.length > 0, { what: 'an SMS code' }))[0].text.match(/\d{6}/)[0] },
    client, { contact: uniquePhone() });
  const licence = people.find((p) => p.id !== 'p0002' && p.driver_licence && (p.fines || []).some((f) => !f.paid && f.by === 'licence')).driver_licence.number;
  const fines = await client.api('POST', '/api/v1/payments/fines', { licence });
  const uin = fines.json.charges.find((c) => !c.paid).uin;
  const started = await client.api('POST', '/api/v1/payments', { uins: [uin] }, { headers: { 'Idempotency-Key': 'b-' + randomBytes(8).toString('hex') } });
  assert.equal(started.status, 201, started.body);
  const atBank = await fetch(started.json.action_url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ number: '4111 1111 1111 1111', expiry: '12/30', cvc: '123' }).toString() });
  const back = new URL(atBank.headers.get('location'));
  await client.get(back.pathname + back.search);
  return { id: started.json.id, amount: started.json.amount };
}

test('anyone finds a utilities invoice by account number; the services table fits 360 px', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    await page.goto(server.url + '/payments/utilities');
    await checkPage(page, 'utilities-form');
    await page.fill('#account', '12345');
    await follow(page, 'form.form button[type=submit]');
    assert.match(await page.textContent('.error-summary'), /от 6 до 20 цифр/);
    await checkPage(page, 'utilities-error');
    await page.fill('#account', '5901234567');
    await follow(page, 'form.form button[type=submit]');
    const main = await page.textContent('main');
    assert.match(main, /Холодное водоснабжение/);
    assert.match(main, /312 → 319/);
    assert.match(main, /ООО «Единый расчётный центр Пермь»/);
    await checkPage(page, 'utilities-invoice');
  } finally {
    await context.close();
  }
});

test('a payments operator refunds part of a payment from the operator page', async () => {
  const payment = await paidByCard();
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    await page.goto(server.url + `/payments/operator?payment=${payment.id}`);
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.fill('#login', email);
    await page.fill('#password', password);
    await follow(page, 'form.form button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/payments/operator');
    await checkPage(page, 'operator-payment');
    await page.fill('#refund-amount', 'сто');
    await page.fill('#refund-reason', 'Переплата');
    await follow(page, 'form[action="/payments/operator/refund"] button[type=submit]');
    assert.match(await page.textContent('.error-summary'), /сумму возврата/);
    await checkPage(page, 'operator-refund-error');
    await page.fill('#refund-amount', '1,00');
    await follow(page, 'form[action="/payments/operator/refund"] button[type=submit]');
    const main = await page.textContent('main');
    assert.match(main, /Деньги возвращены/);
    assert.match(main, /Переплата/);
    await checkPage(page, 'operator-refunded');
  } finally {
    await context.close();
  }
});
