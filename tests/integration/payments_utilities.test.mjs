// Utilities invoices (PAY-1, PAY-2): looked up by personal account number
// without an account, shown with every detail of a charge plus the services
// (meter readings, flat rates), paid by card or from the phone account like any
// charge (one payment per key, the ledger, the receipt with its QR code), the
// payee told. Bad input → stable codes; the payee down → 503 with a code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, freshDatabase, waitFor, root } from '../support/server.mjs';
import { startRegistries } from '../support/registries.mjs';
import { Client, registerViaApi, uniquePhone, scalar } from '../support/identity.mjs';

const demo = JSON.parse(readFileSync(path.join(root, 'data/registries/utilities.json'), 'utf8'));
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

const sandbox = (p, init) => fetch(`${registries.url}${p}`, init);
const faults = (registry, body) => sandbox(`/admin/faults/${registry}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const clearFaults = () => sandbox('/admin/faults', { method: 'DELETE' });
const form = (fields) => ({ method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const smsTo = async (phone) => (await (await sandbox(`/sms/messages?phone=${encodeURIComponent(phone)}`)).json()).messages;
const key = () => 'u-' + randomBytes(8).toString('hex');

async function signedIn() {
  const client = new Client(server.url);
  const phone = uniquePhone();
  await registerViaApi({
    nextSmsCode: async (p) => (await waitFor(() => smsTo(p), (m) => m.length > 0, { what: 'an SMS code' }))[0].text.match(/\d{6}/)[0],
  }, client, { contact: phone });
  client.phone = phone;
  return client;
}

async function invoices(client, account) {
  const res = await client.api('POST', '/api/v1/payments/utilities', { account });
  assert.equal(res.status, 200, res.body);
  return res.json;
}

// The UIN control digit as SPEC states it.
function uinValid(uin) {
  const d = [...uin].map(Number);
  const sum = (start) => d.slice(0, 19).reduce((s, x, i) => s + x * (((i + start) % 10) + 1), 0) % 11;
  let c = sum(0);
  if (c === 10) c = sum(2) === 10 ? 0 : sum(2);
  return uin.length === 20 && c === d[19];
}

async function payByCard(actionUrl) {
  const res = await fetch(actionUrl, form({ number: '4111 1111 1111 1111', expiry: '12/30', cvc: '123' }));
  assert.equal(res.status, 303);
  return new URL(res.headers.get('location'));
}

test('an invoice by account number shows the payee, UIN, due date, services with readings and rates, and adds up', async () => {
  const anyone = new Client(server.url);
  const found = await invoices(anyone, '59 0123-4567');
  assert.equal(found.document_found, true);
  assert.equal(found.charges.length, 1, 'the paid month is not offered');
  const [c] = found.charges;
  assert.equal(c.source, 'utilities');
  assert.ok(uinValid(c.uin), c.uin);
  const payee = demo.payees['perm-erc'];
  for (const k of ['name', 'inn', 'kpp', 'account', 'bic', 'bank_name', 'corr_account']) assert.equal(c.payee[k], payee[k], k);
  assert.match(c.due_date, /^\d{4}-\d{2}-10$/);
  assert.match(c.purpose, /лицевой счёт 5901234567/);
  assert.match(c.legal_basis, /Жилищный кодекс/);
  const services = c.invoice.services;
  assert.equal(services.length, 6);
  const cold = services.find((s) => s.name === 'Холодное водоснабжение');
  assert.deepEqual([cold.previous, cold.current, cold.quantity, cold.tariff, cold.amount], [312, 319, '7', 4357, 7 * 4357]);
  const upkeep = services.find((s) => s.name === 'Содержание жилого помещения');
  assert.equal(upkeep.previous, undefined);
  assert.equal(upkeep.amount, Math.round(54.3 * 3045));
  assert.equal(c.amount, services.reduce((s, x) => s + x.amount, 0));
  assert.equal(c.amount_due, c.amount);
  assert.equal(found.total_due, c.amount);

  // The page, without an account: the form with its CSRF field, the services table, the sign-in offer.
  const page = await anyone.get('/payments/utilities');
  assert.equal(page.status, 200);
  assert.match(page.body, /name="_csrf"/);
  const shown = await anyone.postForm('/payments/utilities', { account: '5901234567' });
  assert.equal(shown.status, 200, shown.body.slice(0, 500));
  for (const text of [c.uin, payee.inn, payee.kpp, payee.account, payee.bic, '312 → 319', 'Холодное водоснабжение']) assert.ok(shown.body.includes(text), text);
  assert.match(shown.body, /href="\/signin\?next=/);
});

test('bad account numbers get stable codes; an unknown account and one with nothing owed are told apart', async () => {
  const anyone = new Client(server.url);
  for (const [account, code] of [['12345', 'payments.utilities_account'], ['59012345AB', 'payments.utilities_account'], ['', 'payments.utilities_account_empty']]) {
    const res = await anyone.api('POST', '/api/v1/payments/utilities', { account });
    assert.equal(res.status, 422, account);
    assert.equal(res.json.error.code, code);
    assert.equal(res.json.error.field, 'account');
  }
  const page = await anyone.postForm('/payments/utilities', { account: '12345' });
  assert.equal(page.status, 422);
  assert.match(page.body, /href="#account"/);
  const unknown = await invoices(anyone, '5900000000');
  assert.deepEqual([unknown.document_found, unknown.charges.length], [false, 0]);
  const empty = await invoices(anyone, '5905550002');
  assert.deepEqual([empty.document_found, empty.charges.length], [true, 0]);
  const allPaid = await invoices(anyone, '5905550001');
  assert.deepEqual([allPaid.document_found, allPaid.charges.length], [true, 0]);
});

test('the payee down or failing: 503 with a stable code, and fine again once it is back', async (t) => {
  t.after(clearFaults);
  const anyone = new Client(server.url);
  await faults('utilities', { down: true });
  const down = await anyone.api('POST', '/api/v1/payments/utilities', { account: '5909876543' });
  assert.equal(down.status, 503);
  assert.equal(down.json.error.code, 'payments.registry_unavailable');
  assert.ok(down.headers.get('retry-after'));
  const page = await anyone.postForm('/payments/utilities', { account: '5909876543' });
  assert.equal(page.status, 503);
  await clearFaults();
  assert.equal((await invoices(anyone, '5909876543')).charges.length, 2);
});

test('paying an invoice by card: one payment per key, the ledger, the receipt with the QR code, the payee told', async () => {
  const client = await signedIn();
  const [invoice] = (await invoices(client, '5907654321')).charges;
  const attempt = key();
  const started = await client.api('POST', '/api/v1/payments', { uins: [invoice.uin] }, { headers: { 'Idempotency-Key': attempt } });
  assert.equal(started.status, 201, started.body);
  assert.equal(started.json.amount, invoice.amount);
  const again = await client.api('POST', '/api/v1/payments', { uins: [invoice.uin] }, { headers: { 'Idempotency-Key': attempt } });
  assert.equal(again.status, 200);
  assert.equal(again.json.id, started.json.id);
  const held = await client.api('POST', '/api/v1/payments', { uins: [invoice.uin] }, { headers: { 'Idempotency-Key': key() } });
  assert.equal(held.status, 409);
  assert.equal(held.json.error.code, 'payments.charge_held');

  const back = await payByCard(started.json.action_url);
  await client.get(back.pathname + back.search);
  const paid = await client.api('GET', `/api/v1/payments/${started.json.id}`);
  assert.equal(paid.json.state, 'succeeded');
  assert.equal(paid.json.items[0].source, 'utilities');
  assert.equal(scalar(database, 'SELECT COALESCE(SUM(amount), 0) FROM payments_ledger'), '0');
  assert.equal(scalar(database, `SELECT COUNT(*) FROM payments_ledger WHERE movement = 'received' AND account = 'payee:${invoice.uin}'`), '1');

  // The payee hears of it (outbox job) and its invoice then shows as paid.
  await waitFor(() => client.api('GET', `/api/v1/payments/${started.json.id}`).then((r) => r.json), (p) => p.items.every((i) => i.reported), { what: 'the payee told' });
  const atPayee = await (await sandbox(`/utilities/invoices/${invoice.uin}`)).json();
  assert.equal(atPayee.paid, true);
  const after = await invoices(client, '5907654321');
  assert.equal(after.charges.length, 0);

  // The receipt: a PDF with the payee's details, the UIN and the sum in figures and words.
  const pdf = await client.get(`/payments/${started.json.id}/receipt.pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const dir = mkdtempSync(path.join(tmpdir(), 'utilities-receipt-'));
  try {
    writeFileSync(path.join(dir, 'r.pdf'), pdf.raw);
    execFileSync('pdftoppm', ['-png', '-r', '60', path.join(dir, 'r.pdf'), path.join(dir, 'page')]);
    const text = execFileSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const field of [invoice.uin, invoice.payee.account, invoice.payee.inn, invoice.payee.bic]) assert.ok(text.includes(field), field);
    assert.match(text, /рубл(ь|я|ей) \d\d копе(йка|йки|ек)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invoice is paid from the phone account like any charge; another account never sees the payment', async () => {
  const client = await signedIn();
  const [invoice] = (await invoices(client, '5909876543')).charges;
  const started = await client.api('POST', '/api/v1/payments', { uins: [invoice.uin], method: 'mobile' }, { headers: { 'Idempotency-Key': key() } });
  assert.equal(started.status, 201, started.body);
  assert.equal(started.json.method, 'mobile');
  assert.equal(started.json.state, 'awaiting_confirmation');
  const other = await signedIn();
  assert.equal((await other.api('GET', `/api/v1/payments/${started.json.id}`)).status, 404);
  assert.equal((await other.get(`/payments/${started.json.id}`)).status, 404);
  assert.equal((await other.get(`/payments/${started.json.id}/receipt.pdf`)).status, 404);
  // The printed receipt for a bank branch of a public charge is open to anyone (like a fine's).
  assert.equal((await other.get(`/payments/charges/${invoice.uin}/receipt.pdf`)).status, 200);
});
