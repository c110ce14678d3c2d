// Payments (PAY-2) from a mobile phone account and from an e-wallet: the
// provider's confirmation step (an SMS code to the account's phone, a sign-in
// at the e-wallet), one charge per idempotency key, a wrong code, three wrong
// codes, the provider down when paying starts, and the sweeper learning an
// outcome the browser never brought back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries, people } from '../support/registries.mjs';
import { Client, registerViaApi, uniquePhone, scalar } from '../support/identity.mjs';

let registries, database, server;

before(async () => {
  registries = await startRegistries();
  database = freshDatabase();
  server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--registries-timeout-ms', '1000',
    '--job-poll-ms', '100', '--job-backoff-base', '1', '--job-backoff-cap', '2', '--payment-check-seconds', '1',
    '--data-key', randomBytes(32).toString('hex'), '--test-routes'], { database });
});

after(async () => {
  await server?.stop();
  await registries?.stop();
  database?.drop();
});

const bank = (p, init) => fetch(`${registries.url}${p}`, init);
const faults = (registry, body) => bank(`/admin/faults/${registry}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const clearFaults = () => bank('/admin/faults', { method: 'DELETE' });
const form = (fields) => ({ method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const smsTo = async (phone) => (await (await bank(`/sms/messages?phone=${encodeURIComponent(phone)}`)).json()).messages;

async function signedIn() {
  const client = new Client(server.url);
  const phone = uniquePhone();
  await registerViaApi({
    nextSmsCode: async (p) => (await waitFor(() => smsTo(p), (m) => m.length > 0, { what: 'an SMS code' }))[0].text.match(/\d{6}/)[0],
  }, client, { contact: phone });
  client.phone = phone;
  return client;
}

// The provider's code in the SMS it sent to the account's phone.
async function providerCode(phone) {
  const messages = await waitFor(() => smsTo(phone), (m) => m.some((x) => x.sender === 'DemoMobile'), { what: 'the provider SMS' });
  return messages.find((x) => x.sender === 'DemoMobile').text.match(/Код (\d{6})/)[1];
}

const licencePool = people
  .filter((p) => p.id !== 'p0002' && p.driver_licence && (p.fines || []).some((f) => !f.paid && f.by === 'licence'))
  .map((p) => p.driver_licence.number);
async function payableFine(client) {
  const licence = licencePool.shift();
  const res = await client.api('POST', '/api/v1/payments/fines', { licence });
  assert.equal(res.status, 200, res.body);
  const fine = res.json.charges.find((c) => !c.paid);
  assert.ok(fine, `an unpaid fine on ${licence}`);
  return fine;
}

async function paymentState(client, id) {
  const res = await client.api('GET', `/api/v1/payments/${id}`);
  assert.equal(res.status, 200, res.body);
  return res.json;
}

const bankPayments = async (orderId) => (await (await bank(`/bank/payments?order_id=${orderId}`)).json()).payments;

async function start(client, fine, method, key = method + '-' + randomBytes(6).toString('hex')) {
  return client.api('POST', '/api/v1/payments', { uins: [fine.uin], method }, { headers: { 'Idempotency-Key': key } });
}

test('mobile phone account: one charge per key, a wrong code, the SMS code pays, the ledger balances', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const key = 'mob-' + randomBytes(6).toString('hex');
  const started = await start(client, fine, 'mobile', key);
  assert.equal(started.status, 201, started.body);
  assert.equal(started.json.method, 'mobile');
  assert.equal(started.json.state, 'awaiting_confirmation');
  assert.ok(started.json.action_url.startsWith(registries.url + '/bank/wallet/'));
  const again = await start(client, fine, 'mobile', key);
  assert.equal(again.status, 200);
  assert.equal(again.json.id, started.json.id);
  // The same key for the same charges by card is another request: refused.
  const byCard = await start(client, fine, 'card', key);
  assert.equal(byCard.status, 409);
  assert.equal((await bankPayments(started.json.id)).length, 1);
  const code = await providerCode(client.phone);
  assert.equal((await smsTo(client.phone)).filter((m) => m.sender === 'DemoMobile').length, 1, 'one code for one payment');

  const page = await fetch(started.json.action_url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /name="code"/);
  const wrong = await fetch(started.json.action_url, form({ action: 'confirm', code: code === '000000' ? '111111' : '000000' }));
  assert.equal(wrong.status, 422);
  assert.match(await wrong.text(), /Неверный код/);
  assert.equal((await paymentState(client, started.json.id)).state, 'awaiting_confirmation');

  const right = await fetch(started.json.action_url, form({ action: 'confirm', code }));
  assert.equal(right.status, 303);
  const back = new URL(right.headers.get('location'));
  assert.equal(back.pathname, `/payments/${started.json.id}/return`);
  await client.get(back.pathname + back.search);
  const paid = await paymentState(client, started.json.id);
  assert.equal(paid.state, 'succeeded');
  assert.equal(paid.amount, fine.amount_due);
  const paidPage = await client.get(`/payments/${started.json.id}`);
  assert.match(paidPage.body, /Со счёта мобильного телефона/);
  assert.equal((await bankPayments(started.json.id)).filter((p) => p.status === 'succeeded').length, 1);
  assert.equal(scalar(database, 'SELECT COALESCE(SUM(amount), 0) FROM payments_ledger'), '0');
  assert.equal(scalar(database, `SELECT COUNT(*) FROM payments_ledger WHERE movement = 'received' AND account = 'payee:${fine.uin}'`), '1');
  await waitFor(() => paymentState(client, started.json.id), (p) => p.items.every((i) => i.reported), { what: 'the authority told' });
  const receipt = await client.get(`/payments/${started.json.id}/receipt.pdf`);
  assert.equal(receipt.status, 200);
  assert.equal(receipt.headers.get('content-type'), 'application/pdf');
});

test('mobile phone account: three wrong codes decline, the charge is free again', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const started = await start(client, fine, 'mobile');
  assert.equal(started.status, 201, started.body);
  const code = await providerCode(client.phone);
  const bad = code === '000000' ? '111111' : '000000';
  const id = started.json.action_url.split('/').pop();
  for (const expected of [422, 422]) {
    const res = await bank(`/bank/wallet-payments/${id}/confirm`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: bad }) });
    assert.equal(res.status, expected);
    assert.equal((await res.json()).error.code, 'wallet.wrong_code');
  }
  const third = await fetch(started.json.action_url, form({ action: 'confirm', code: bad }));
  assert.equal(third.status, 303);
  const back = new URL(third.headers.get('location'));
  await client.get(back.pathname + back.search);
  const failed = await paymentState(client, started.json.id);
  assert.equal(failed.state, 'failed');
  assert.equal(failed.failure, 'code_attempts');
  // The right code after the decline pays nothing.
  const late = await bank(`/bank/wallet-payments/${id}/confirm`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
  assert.equal(late.status, 409);
  const retry = await start(client, fine, 'card');
  assert.equal(retry.status, 201, retry.body);
});

test('e-wallet: sign-in page, a wrong password, the outcome learnt by the sweeper', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const started = await start(client, fine, 'wallet');
  assert.equal(started.status, 201, started.body);
  assert.equal(started.json.method, 'wallet');
  const page = await fetch(started.json.action_url);
  const html = await page.text();
  assert.match(html, /type="password"/);
  assert.ok(html.includes(client.phone), 'the wallet is the account phone');
  const wrong = await fetch(started.json.action_url, form({ action: 'confirm', password: 'nope' }));
  assert.equal(wrong.status, 422);
  const right = await fetch(started.json.action_url, form({ action: 'confirm', password: 'demo' }));
  assert.equal(right.status, 303);
  // The browser never comes back: the sweeper asks the provider.
  const done = await waitFor(() => paymentState(client, started.json.id), (p) => p.state === 'succeeded', { what: 'the sweeper', timeoutMs: 20000 });
  assert.equal(done.amount, fine.amount_due);
  assert.equal((await bankPayments(started.json.id)).length, 1);
  assert.equal(scalar(database, `SELECT COUNT(*) FROM payments_ledger WHERE movement = 'received' AND account = 'payee:${fine.uin}'`), '1');
});

test('the provider is down when paying starts: the payment waits, a retry opens one provider payment', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  await faults('bank', { down: true });
  let started;
  try {
    started = await start(client, fine, 'mobile');
    assert.equal(started.status, 201, started.body);
    assert.equal(started.json.state, 'created');
    assert.equal(started.json.acquirer_unavailable, true);
  } finally {
    await clearFaults();
  }
  assert.equal((await smsTo(client.phone)).filter((m) => m.sender === 'DemoMobile').length, 0, 'no code before the provider has the payment');
  for (let i = 0; i < 2; i++) {
    const go = await client.postForm(`/payments/${started.json.id}/continue`, {});
    assert.equal(go.status, 303);
  }
  const opened = await paymentState(client, started.json.id);
  assert.equal(opened.state, 'awaiting_confirmation');
  assert.ok(opened.action_url.startsWith(registries.url + '/bank/wallet/'));
  assert.equal((await bankPayments(started.json.id)).length, 1);
  assert.equal((await smsTo(client.phone)).filter((m) => m.sender === 'DemoMobile').length, 1);
});

test('an unknown method is refused with a stable code; the pay forms offer the three methods', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const res = await start(client, fine, 'cash');
  assert.equal(res.status, 422);
  assert.equal(res.json.error.code, 'payments.method');
  const receipt = await start(client, fine, 'bank_receipt');
  assert.equal(receipt.status, 422);
  const page = await client.postForm('/payments/fines', { by: 'licence', number: people.find((p) => p.id === 'p0002').driver_licence.number });
  assert.equal(page.status, 200);
  for (const m of ['card', 'mobile', 'wallet']) assert.match(page.body, new RegExp(`name="method" value="${m}"`));
});
