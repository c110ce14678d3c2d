// Refunds (PAY-2: succeeded → refunds): a payments operator refunds a paid
// payment in full or in part with a reason; the acquirer is asked with the
// refund's own key; the ledger still balances; the payer is notified and sees
// the refund on the payment and its receipt. Never refunded twice: a repeated
// key, parallel operators, a lost answer from the bank learnt by the sweeper.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, freshDatabase, waitFor, binary, root } from '../support/server.mjs';
import { startRegistries, people } from '../support/registries.mjs';
import { Client, registerViaApi, uniquePhone, scalar } from '../support/identity.mjs';

let registries, database, server, dataKey, operator;

before(async () => {
  registries = await startRegistries();
  database = freshDatabase();
  dataKey = randomBytes(32).toString('hex');
  server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--registries-timeout-ms', '1000',
    '--job-poll-ms', '100', '--job-backoff-base', '1', '--job-backoff-cap', '2', '--payment-check-seconds', '1',
    '--data-key', dataKey, '--test-routes'], { database });
  operator = await staff();
});

after(async () => {
  await server?.stop();
  await registries?.stop();
  database?.drop();
});

const sandbox = (p, init) => fetch(`${registries.url}${p}`, init);
const faults = (registry, body) => sandbox(`/admin/faults/${registry}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const clearFaults = () => sandbox('/admin/faults', { method: 'DELETE' });
const form = (fields) => ({ method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const smsTo = async (phone) => (await (await sandbox(`/sms/messages?phone=${encodeURIComponent(phone)}`)).json()).messages;
const key = () => 'r-' + randomBytes(8).toString('hex');
const ledgerSum = () => scalar(database, 'SELECT COALESCE(SUM(amount), 0) FROM payments_ledger');

async function staff() {
  const phone = uniquePhone();
  const created = spawnSync(binary, ['admin', 'create-staff', '--role', 'payments', '--surname', 'Возвратова', '--name', 'Ольга',
    '--phone', phone, '--database', database.url, '--data-key', dataKey], { cwd: root, encoding: 'utf8' });
  assert.equal(created.status, 0, created.stderr);
  const client = new Client(server.url);
  const signin = await client.api('POST', '/api/v1/identity/signin', { login: phone, password: created.stdout.match(/one-time password[^:]*: (\S+)/)[1] });
  assert.equal(signin.status, 200, signin.body);
  await client.session();
  return client;
}

async function signedIn() {
  const client = new Client(server.url);
  const phone = uniquePhone();
  await registerViaApi({
    nextSmsCode: async (p) => (await waitFor(() => smsTo(p), (m) => m.length > 0, { what: 'an SMS code' }))[0].text.match(/\d{6}/)[0],
  }, client, { contact: phone });
  client.phone = phone;
  return client;
}

const licencePool = people
  .filter((p) => p.driver_licence && (p.fines || []).some((f) => !f.paid && f.by === 'licence'))
  .map((p) => p.driver_licence.number);

// A citizen who paid a fine by card: { client, payment }.
async function paidPayment() {
  const client = await signedIn();
  const res = await client.api('POST', '/api/v1/payments/fines', { licence: licencePool.shift() });
  assert.equal(res.status, 200, res.body);
  const fine = res.json.charges.find((c) => !c.paid);
  assert.ok(fine, 'an unpaid fine');
  const started = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': key() } });
  assert.equal(started.status, 201, started.body);
  const atBank = await fetch(started.json.action_url, form({ number: '4111 1111 1111 1111', expiry: '12/30', cvc: '123' }));
  const back = new URL(atBank.headers.get('location'));
  await client.get(back.pathname + back.search);
  const payment = (await client.api('GET', `/api/v1/payments/${started.json.id}`)).json;
  assert.equal(payment.state, 'succeeded');
  return { client, payment };
}

const refund = (id, body, k = key(), who = operator) =>
  who.api('POST', `/api/v1/payments/operator/payments/${id}/refunds`, body, { headers: k === null ? {} : { 'Idempotency-Key': k } });

async function bankPayment(orderId) {
  return (await (await sandbox(`/bank/payments?order_id=${orderId}`)).json()).payments[0];
}

test('a part, then the rest: the payer is told and sees it, the bank refunds once, the ledger balances', async () => {
  const { client, payment } = await paidPayment();
  const part = Math.floor(payment.amount / 3);
  const k = key();
  const first = await refund(payment.id, { amount: part, reason: 'Штраф отменён частично' }, k);
  assert.equal(first.status, 201, first.body);
  assert.equal(first.json.refund.state, 'succeeded');
  assert.equal(first.json.payment.state, 'succeeded', 'a part refunded: still paid');
  assert.equal(first.json.payment.refunded_amount, part);
  // The same attempt again (double click): the same refund, nothing more at the bank.
  const repeat = await refund(payment.id, { amount: part, reason: 'Штраф отменён частично' }, k);
  assert.equal(repeat.status, 200);
  assert.equal(repeat.json.refund.id, first.json.refund.id);
  const conflict = await refund(payment.id, { amount: part + 1, reason: 'Штраф отменён частично' }, k);
  assert.equal(conflict.status, 409);
  assert.equal(conflict.json.error.code, 'payments.idempotency_conflict');
  assert.equal((await bankPayment(payment.id)).refunded_amount, part);
  assert.equal(ledgerSum(), '0');

  // The payer: notified, and sees it on the payment, its page and its receipt.
  await waitFor(() => smsTo(client.phone), (m) => m.some((x) => /возвращено/.test(x.text)), { what: 'the refund SMS' });
  const seen = (await client.api('GET', `/api/v1/payments/${payment.id}`)).json;
  assert.deepEqual(seen.refunds.map((r) => [r.amount, r.state, r.reason]), [[part, 'succeeded', 'Штраф отменён частично']]);
  const page = await client.get(`/payments/${payment.id}`);
  assert.match(page.body, /Возвраты/);
  assert.match(page.body, /Штраф отменён частично/);
  const pdf = await client.get(`/payments/${payment.id}/receipt.pdf`);
  assert.equal(pdf.status, 200);
  const dir = mkdtempSync(path.join(tmpdir(), 'refund-receipt-'));
  try {
    writeFileSync(path.join(dir, 'r.pdf'), pdf.raw);
    const text = execFileSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.match(text, /Возврат/);
    assert.match(text, /После возвратов/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const rest = await refund(payment.id, { amount: payment.amount - part, reason: 'Постановление отменено судом' });
  assert.equal(rest.status, 201, rest.body);
  assert.equal(rest.json.payment.state, 'refunded');
  assert.equal(rest.json.payment.refunded_amount, payment.amount);
  const more = await refund(payment.id, { amount: 1, reason: 'Ещё' });
  assert.equal(more.status, 409);
  assert.equal(more.json.error.code, 'payments.refund_state');
  const atBank = await bankPayment(payment.id);
  assert.equal(atBank.refunded_amount, payment.amount);
  assert.equal(atBank.refunds.length, 2);
  assert.equal(ledgerSum(), '0');
  assert.equal(scalar(database, `SELECT COUNT(DISTINCT movement) FROM payments_ledger l JOIN payments p ON p.id = l.payment_id WHERE p.public_id = '${payment.id}' AND movement LIKE 'refund:%'`), '2');
  // The receipt stays downloadable after a full refund; the history filters refunded payments.
  assert.equal((await client.get(`/payments/${payment.id}/receipt.pdf`)).status, 200);
  const refunded = await client.api('GET', '/api/v1/payments?state=refunded');
  assert.deepEqual(refunded.json.payments.map((p) => p.id), [payment.id]);
  assert.deepEqual((await client.api('GET', '/api/v1/payments?state=succeeded')).json.payments, []);
});

test('only a payments operator refunds; another account never sees the payment or its refunds', async () => {
  const { client, payment } = await paidPayment();
  assert.equal((await refund(payment.id, { amount: 100, reason: 'Сам себе' }, key(), client)).status, 404);
  assert.equal((await client.postForm('/payments/operator/refund', { payment: payment.id, amount: '1', reason: 'x', idempotency_key: key() })).status, 404);
  const anonymous = new Client(server.url);
  assert.equal((await refund(payment.id, { amount: 100, reason: 'x' }, key(), anonymous)).status, 401);
  const done = await refund(payment.id, { amount: 100, reason: 'Проверка доступа' });
  assert.equal(done.status, 201);
  const other = await signedIn();
  assert.equal((await other.api('GET', `/api/v1/payments/${payment.id}`)).status, 404);
  assert.equal((await other.get(`/payments/${payment.id}`)).status, 404);
  const own = await other.api('GET', '/api/v1/payments');
  assert.ok(!JSON.stringify(own.json).includes(payment.id));
});

test('bad input gets stable codes, never a 500', async () => {
  const { payment } = await paidPayment();
  const cases = [
    [{ reason: 'без суммы' }, key(), 422, 'payments.refund_amount'],
    [{ amount: 0, reason: 'ноль' }, key(), 422, 'payments.refund_amount'],
    [{ amount: -100, reason: 'минус' }, key(), 422, 'payments.refund_amount'],
    [{ amount: '100', reason: 'строкой' }, key(), 422, 'payments.refund_amount'],
    [{ amount: 100, reason: '   ' }, key(), 422, 'payments.refund_reason'],
    [{ amount: 100, reason: 'я'.repeat(300) }, key(), 422, 'payments.refund_reason'],
    [{ amount: 100, reason: 'без ключа' }, null, 422, 'payments.idempotency_key'],
    [{ amount: payment.amount + 1, reason: 'больше платежа' }, key(), 409, 'payments.refund_exceeds'],
  ];
  for (const [body, k, status, code] of cases) {
    const res = await refund(payment.id, body, k);
    assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.body}`);
    assert.equal(res.json.error.code, code);
  }
  const unknown = await refund('no-such-payment', { amount: 100, reason: 'нет' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'payments.not_found');
  const raw = await operator.api('POST', `/api/v1/payments/operator/payments/${payment.id}/refunds`, undefined, { rawBody: '{not json', headers: { 'Idempotency-Key': key() } });
  assert.equal(raw.status, 422);
  // A payment still at the bank's page cannot be refunded.
  const waiting = await signedIn();
  const fines = await waiting.api('POST', '/api/v1/payments/fines', { licence: licencePool.shift() });
  const open = await waiting.api('POST', '/api/v1/payments', { uins: [fines.json.charges.find((c) => !c.paid).uin] }, { headers: { 'Idempotency-Key': key() } });
  const early = await refund(open.json.id, { amount: 100, reason: 'рано' });
  assert.equal(early.status, 409);
  assert.equal(early.json.error.code, 'payments.refund_state');
  assert.equal((await bankPayment(payment.id)).refunded_amount, 0);
  assert.equal(ledgerSum(), '0');
});

test('the operator page: find the payment, refund by the form (CSRF, no JavaScript), errors shown in place', async () => {
  const { payment } = await paidPayment();
  const page = await operator.get(`/payments/operator?payment=${payment.id}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /action="\/payments\/operator\/refund"/);
  assert.match(page.body, /name="_csrf"/);
  const attempt = page.body.match(/name="idempotency_key" value="([^"]+)"/)[1];
  const noCsrf = await operator.postForm('/payments/operator/refund', { payment: payment.id, amount: '1,00', reason: 'без токена', idempotency_key: attempt }, { csrf: null });
  assert.equal(noCsrf.status, 403);
  const bad = await operator.postForm('/payments/operator/refund', { payment: payment.id, amount: '1,234', reason: 'Переплата', idempotency_key: attempt });
  assert.equal(bad.status, 422);
  assert.match(bad.body, /href="#refund-amount"/);
  const rubles = (payment.amount / 100 / 2).toFixed(2).replace('.', ',');
  const done = await operator.postForm('/payments/operator/refund', { payment: payment.id, amount: rubles, reason: 'Переплата', idempotency_key: attempt });
  assert.equal(done.status, 303, done.body.slice(0, 300));
  assert.match(done.location, new RegExp(`^/payments/operator\\?payment=${payment.id}&refund=`));
  const after = await operator.get(done.location);
  assert.match(after.body, /Деньги возвращены/);
  assert.match(after.body, /Переплата/);
  const twice = await operator.postForm('/payments/operator/refund', { payment: payment.id, amount: rubles, reason: 'Переплата', idempotency_key: attempt });
  assert.equal(twice.status, 303, 'the same form sent again finds the same refund');
  assert.equal((await bankPayment(payment.id)).refunds.length, 1);
});

test('the bank answers too late: the refund stays pending, the sweeper learns it was made, and it is made once', async (t) => {
  t.after(clearFaults);
  const { client, payment } = await paidPayment();
  await faults('bank', { latency_ms: 2500 });  // beyond the portal's 1 s timeout: done at the bank, the answer lost
  const lost = await refund(payment.id, { amount: payment.amount, reason: 'Двойная оплата' });
  assert.equal(lost.status, 201, lost.body);
  assert.equal(lost.json.refund.state, 'pending');
  assert.equal(lost.json.payment.state, 'succeeded');
  await clearFaults();
  const learnt = await waitFor(() => client.api('GET', `/api/v1/payments/${payment.id}`).then((r) => r.json),
    (p) => p.state === 'refunded', { what: 'the sweeper learning the refund', timeoutMs: 20000 });
  assert.equal(learnt.refunds[0].state, 'succeeded');
  const atBank = await bankPayment(payment.id);
  assert.equal(atBank.refunds.length, 1);
  assert.equal(atBank.refunded_amount, payment.amount);
  assert.equal(ledgerSum(), '0');
});

test('the bank down: the refund waits and catches up when it is back', async (t) => {
  t.after(clearFaults);
  const { payment } = await paidPayment();
  await faults('bank', { down: true });
  const waiting = await refund(payment.id, { amount: 500, reason: 'Банк недоступен' });
  assert.equal(waiting.status, 201, waiting.body);
  assert.equal(waiting.json.refund.state, 'pending');
  // Reserved while pending: no more than is left can be asked for meanwhile.
  const over = await refund(payment.id, { amount: payment.amount - 499, reason: 'Сверх остатка' });
  assert.equal(over.json.error.code, 'payments.refund_exceeds');
  await clearFaults();
  const done = await waitFor(() => operator.get(`/payments/operator?payment=${payment.id}`),
    (r) => r.body.includes('Возвращено:'), { what: 'the refund after the bank is back', timeoutMs: 20000 });
  assert.equal(done.status, 200);
  assert.equal((await bankPayment(payment.id)).refunded_amount, 500);
});

test('parallel refunds: never more than was paid, one refund per key, the bank agrees', async () => {
  const { payment } = await paidPayment();
  const part = Math.floor(payment.amount / 4);
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => refund(payment.id, { amount: part, reason: `Параллельно ${i}` })));
  const made = answers.filter((a) => a.status === 201);
  const refused = answers.filter((a) => a.status === 409);
  assert.equal(made.length, 4, answers.map((a) => a.status).join(','));
  assert.equal(refused.length, 8);
  // All of it refunded (the amount a multiple of 4): the payment is refunded and later ones find that instead.
  const allowed = payment.amount === 4 * part ? ['payments.refund_exceeds', 'payments.refund_state'] : ['payments.refund_exceeds'];
  for (const r of refused) assert.ok(allowed.includes(r.json.error.code), r.body);
  const k = key();
  const same = await Promise.all(Array.from({ length: 8 }, () => refund(payment.id, { amount: payment.amount - 4 * part, reason: 'Остаток' }, k)));
  if (payment.amount - 4 * part > 0) {
    assert.equal(new Set(same.map((a) => a.json.refund.id)).size, 1);
    assert.equal(same.filter((a) => a.status === 201).length, 1);
  }
  const ours = (await operator.get(`/payments/operator?payment=${payment.id}`)).body;
  assert.ok(ours.includes(payment.id));
  const atBank = await bankPayment(payment.id);
  const expected = payment.amount - 4 * part > 0 ? payment.amount : 4 * part;
  assert.equal(atBank.refunded_amount, expected);
  assert.equal(atBank.refunds.length, payment.amount - 4 * part > 0 ? 5 : 4);
  assert.equal(scalar(database, `SELECT refunded_amount FROM payments WHERE public_id = '${payment.id}'`), String(expected));
  assert.equal(ledgerSum(), '0');
});
