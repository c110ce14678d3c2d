// Payments (PAY-1, PAY-2): look-ups, paying by card through the acquirer's
// hosted page with 3-D Secure, idempotency, the sweeper learning lost
// outcomes, expiry, the authority told, receipts, access to others' payments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, freshDatabase, waitFor, binary, root } from '../support/server.mjs';
import { startRegistries, person, people } from '../support/registries.mjs';
import { Client, registerViaApi, uniquePhone, scalar } from '../support/identity.mjs';

const kopecksOf = (c) => c.amount_due;
let registries, database, server, dataKey, serverArgs;

async function startPortal(extra = []) {
  return startServer([...serverArgs, ...extra], { database });
}

before(async () => {
  registries = await startRegistries();
  database = freshDatabase();
  dataKey = randomBytes(32).toString('hex');
  serverArgs = ['--trust-proxy', '--registries-url', registries.url, '--registries-timeout-ms', '1000',
    '--job-poll-ms', '100', '--job-backoff-base', '1', '--job-backoff-cap', '2', '--payment-check-seconds', '1',
    '--data-key', dataKey, '--test-routes'];
  server = await startPortal();
});

after(async () => {
  await server?.stop();
  await registries?.stop();
  database?.drop();
});

async function signedIn() {
  const client = new Client(server.url);
  await registerViaApi({ nextSmsCode: (phone) => nextSms(phone) }, client, { contact: uniquePhone() });
  return client;
}

async function nextSms(phone) {
  const res = await waitFor(() => fetch(`${registries.url}/sms/messages?phone=${encodeURIComponent(phone)}`).then((r) => r.json()),
    (j) => j.messages && j.messages.length > 0, { what: 'an SMS code' });
  return res.messages[0].text.match(/\d{6}/)[0];
}

const bank = (p, init) => fetch(`${registries.url}${p}`, init);
const faults = (registry, body) => bank(`/admin/faults/${registry}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const clearFaults = () => bank('/admin/faults', { method: 'DELETE' });

async function finesOf(client, query) {
  const res = await client.api('POST', '/api/v1/payments/fines', query);
  assert.equal(res.status, 200, res.body);
  return res.json;
}

// The payer at the bank's page: the card, then the 3-D Secure code for the 3DS card.
// Returns where the bank sends the browser back (not followed).
async function payAtBank(actionUrl, { card = '4111 1111 1111 1111', code = '123456' } = {}) {
  const form = (fields) => ({ method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  let res = await fetch(actionUrl, form({ number: card, expiry: '12/30', cvc: '123' }));
  assert.equal(res.status, 303);
  let location = res.headers.get('location');
  if (location.startsWith('/bank/3ds/')) {
    res = await bank(location, form({ code }));
    assert.equal(res.status, 303);
    location = res.headers.get('location');
  }
  return new URL(location);
}

async function bankPayments(orderId) {
  return (await (await bank(`/bank/payments?order_id=${orderId}`)).json()).payments;
}

// Each test pays the fines of a person of its own: the sandbox keeps what was
// paid for as long as it runs. p0002's are left for the look-up checks.
const licencePool = people
  .filter((p) => p.id !== 'p0002' && p.driver_licence && (p.fines || []).some((f) => !f.paid && f.by === 'licence'))
  .map((p) => p.driver_licence.number);
async function payableFine(client) {
  const licence = licencePool.shift();
  const list = await finesOf(client, { licence });
  const fine = list.charges.find((c) => !c.paid);
  assert.ok(fine, `an unpaid fine on ${licence}`);
  fine.licence = licence;
  return fine;
}

async function paymentState(client, id) {
  const res = await client.api('GET', `/api/v1/payments/${id}`);
  assert.equal(res.status, 200, res.body);
  return res.json;
}

test('fines by licence and by certificate show UIN, payee, purpose, basis, due date and discount', async () => {
  const client = new Client(server.url);
  const list = await finesOf(client, { licence: '59 47 179837' });
  assert.ok(list.charges.length >= 2);
  for (const c of list.charges) {
    assert.match(c.uin, /^188\d{17}$/);
    for (const k of ['name', 'inn', 'kpp', 'account', 'bic', 'bank_name', 'corr_account', 'kbk', 'oktmo']) assert.ok(c.payee[k], k);
    assert.ok(c.purpose.includes(c.uin));
    assert.match(c.legal_basis, /КоАП РФ, ст\. 12\./);
    assert.match(c.due_date, /^\d{4}-\d{2}-\d{2}$/);
  }
  const discounted = list.charges.find((c) => c.discount.active);
  assert.ok(discounted, 'a fine with an active discount');
  assert.equal(discounted.discount.rate_percent, 25);
  assert.equal(discounted.amount_due, discounted.amount * 0.75);
  const excluded = list.charges.find((c) => !c.discount.eligible);
  assert.ok(excluded, 'a fine whose offence allows no discount (repeated red light)');
  assert.equal(excluded.amount_due, excluded.amount);

  const bad = await client.api('POST', '/api/v1/payments/fines', { licence: '59 47 17983' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.code, 'driver_licence.format');
  const page = await client.postForm('/payments/fines', { by: 'certificate', number: '59 ТК 974350' });
  assert.equal(page.status, 200);
  assert.match(page.body, /18810591108970000314/);
  assert.match(page.body, /УФК по Пермскому краю/);
});

test('tax debts by INN and court debts by region, name and birth date', async () => {
  const client = new Client(server.url);
  const p5 = person('p0005');
  const taxes = await client.api('POST', '/api/v1/payments/taxes', { inn: p5.inn });
  assert.equal(taxes.status, 200, taxes.body);
  assert.ok(taxes.json.charges.length > 0);
  for (const c of taxes.json.charges) {
    assert.equal(c.source, 'fns');
    assert.match(c.legal_basis, /Налоговый кодекс/);
    assert.ok(c.amount_due > 0);
  }
  const badInn = await client.api('POST', '/api/v1/payments/taxes', { inn: '500100732258' });
  assert.equal(badInn.status, 422);
  assert.equal(badInn.json.error.code, 'inn_person.checksum');

  const debts = await client.api('POST', '/api/v1/payments/debts', {
    region: p5.address.region_code, surname: p5.surname, name: p5.name, patronymic: p5.patronymic, birth_date: p5.birth_date });
  assert.equal(debts.status, 200, debts.body);
  assert.deepEqual(debts.json.charges.map((c) => c.uin).sort(), p5.court_debts.map((d) => d.uin).sort());
  assert.equal(debts.json.total_due, p5.court_debts.reduce((s, d) => s + d.remaining, 0));
  const badRegion = await client.api('POST', '/api/v1/payments/debts', { region: 'Пермь', surname: 'А', name: 'Б', birth_date: '1990-01-01' });
  assert.equal(badRegion.status, 422);
  assert.equal(badRegion.json.error.code, 'payments.region');
});

test('card with 3-D Secure: paid once, the authority told, the ledger balances, the receipt renders', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const key = 'k-' + randomBytes(8).toString('hex');
  const started = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': key } });
  assert.equal(started.status, 201, started.body);
  assert.equal(started.json.state, 'awaiting_confirmation');
  assert.equal(started.json.amount, kopecksOf(fine));
  assert.ok(started.json.action_url.startsWith(registries.url + '/bank/checkout/'));
  // A repeat (lost answer, double click) finds the same payment.
  const again = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': key } });
  assert.equal(again.status, 200);
  assert.equal(again.json.id, started.json.id);
  // The same key with other charges is refused.
  const other = await client.api('POST', '/api/v1/payments', { uins: [fine.uin, '18810477180001234563'] }, { headers: { 'Idempotency-Key': key } });
  assert.equal(other.status, 409);
  // Another attempt at the same charge while this one is open is refused.
  const second = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': key + 'x' } });
  assert.equal(second.status, 409);
  assert.equal(second.json.error.code, 'payments.charge_held');

  const back = await payAtBank(started.json.action_url, { card: '4000 0000 0000 3220' });
  assert.equal(back.pathname, `/payments/${started.json.id}/return`);
  const returned = await client.get(back.pathname + back.search);
  assert.equal(returned.status, 303);
  assert.equal(returned.location, `/payments/${started.json.id}`);
  const paid = await paymentState(client, started.json.id);
  assert.equal(paid.state, 'succeeded');
  assert.equal(paid.card_last4, '3220');
  const paidPage = await client.get(`/payments/${started.json.id}`);
  assert.match(paidPage.body, /Оплачен/);
  assert.ok(!paidPage.body.includes('notice error'), 'no error box on a paid payment');
  assert.ok(!(await client.get('/payments')).body.includes('notice error'), 'no error box on the history without a filter error');
  assert.equal((await bankPayments(started.json.id)).length, 1);

  const reported = await waitFor(() => paymentState(client, started.json.id), (p) => p.items.every((i) => i.reported), { what: 'the authority told' });
  assert.equal(reported.state, 'succeeded');
  const atAuthority = await (await bank(`/gibdd/fines/${fine.uin}`)).json();
  assert.equal(atAuthority.paid, true);
  assert.equal(scalar(database, 'SELECT COALESCE(SUM(amount), 0) FROM payments_ledger'), '0');
  assert.ok(Number(scalar(database, `SELECT COUNT(*) FROM payments_ledger l JOIN payments p ON p.id = l.payment_id WHERE p.public_id = '${started.json.id}'`)) >= 2);
  // The charge now shows as paid, and paying it again is refused.
  const relook = await finesOf(client, { licence: fine.licence });
  assert.ok(!relook.charges.some((c) => c.uin === fine.uin && !c.paid));
  const payAgain = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': key + 'again' } });
  assert.equal(payAgain.status, 409);
  assert.equal(payAgain.json.error.code, 'payments.charge_paid');

  const pdf = await client.get(`/payments/${started.json.id}/receipt.pdf`);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-receipt-'));
  try {
    writeFileSync(path.join(dir, 'r.pdf'), pdf.raw);
    execFileSync('pdftoppm', ['-png', '-r', '60', path.join(dir, 'r.pdf'), path.join(dir, 'page')]);
    const text = execFileSync('pdftotext', [path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.match(text, new RegExp(fine.uin));
    assert.match(text, /рубл(ь|я|ей) 00 копеек/);
    const rubles = Math.floor(fine.amount_due / 100).toLocaleString('ru-RU').replace(/\s/g, ' ');
    assert.ok(text.includes(rubles), `the amount in figures ${rubles}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The card number reached neither our database nor our log.
  if (database.url.startsWith('sqlite://')) {
    const file = database.url.slice('sqlite://'.length);
    for (const f of [file, file + '-wal']) {
      let bytes = '';
      try { bytes = readFileSync(f).toString('latin1'); } catch { continue; }
      assert.ok(!bytes.includes('4000000000003220') && !bytes.includes('4000 0000 0000 3220'));
    }
  }
  assert.ok(!server.log().includes('3220 '));
});

test('another account never sees a payment or its receipt', async () => {
  const owner = await signedIn();
  const fine = await payableFine(owner);
  const started = await owner.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'own-' + randomBytes(6).toString('hex') } });
  assert.equal(started.status, 201, started.body);
  const stranger = await signedIn();
  for (const target of [`/api/v1/payments/${started.json.id}`, `/payments/${started.json.id}`, `/payments/${started.json.id}/receipt.pdf`]) {
    const res = await stranger.get(target);
    assert.equal(res.status, 404, target);
  }
  const check = await stranger.api('POST', `/api/v1/payments/${started.json.id}/check`, {});
  assert.equal(check.status, 404);
  const list = await stranger.api('GET', '/api/v1/payments');
  assert.equal(list.json.payments.length, 0);
  const anonymous = await new Client(server.url).get(`/api/v1/payments/${started.json.id}`);
  assert.equal(anonymous.status, 401);
  // Declined by the bank: the charge is free for another attempt.
  const back = await payAtBank(started.json.action_url, { card: '4000 0000 0000 0002' });
  await owner.get(back.pathname + back.search);
  const failed = await paymentState(owner, started.json.id);
  assert.equal(failed.state, 'failed');
  assert.equal(failed.failure, 'insufficient_funds');
  const retry = await owner.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'own2-' + randomBytes(6).toString('hex') } });
  assert.equal(retry.status, 201, retry.body);
});

test('100 concurrent pay requests with one idempotency key make one payment and one charge', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const key = 'burst-' + randomBytes(8).toString('hex');
  const answers = await Promise.all(Array.from({ length: 100 }, () =>
    client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': key } })));
  const statuses = answers.map((a) => a.status);
  assert.ok(statuses.every((s) => s === 200 || s === 201), statuses.join(','));
  assert.equal(statuses.filter((s) => s === 201).length, 1);
  assert.equal(new Set(answers.map((a) => a.json.id)).size, 1);
  const id = answers[0].json.id;
  assert.equal((await bankPayments(id)).length, 1);
  const back = await payAtBank((await paymentState(client, id)).action_url);
  await client.get(back.pathname + back.search);
  assert.equal((await paymentState(client, id)).state, 'succeeded');
  assert.equal((await bankPayments(id)).filter((p) => p.status === 'succeeded').length, 1);
});

test('the bank charges, then its answer times out: the sweeper learns the outcome, one charge', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const started = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'late-' + randomBytes(6).toString('hex') } });
  assert.equal(started.status, 201, started.body);
  const back = await payAtBank(started.json.action_url);
  await faults('bank', { latency_ms: 2500 });  // beyond the portal's 1 s timeout
  try {
    const returned = await client.get(back.pathname + back.search);
    assert.equal(returned.status, 303);
    assert.equal((await paymentState(client, started.json.id)).state, 'awaiting_confirmation');
  } finally {
    await clearFaults();
  }
  const done = await waitFor(() => paymentState(client, started.json.id), (p) => p.state === 'succeeded', { what: 'the sweeper', timeoutMs: 20000 });
  assert.equal(done.amount, fine.amount_due);
  assert.equal((await bankPayments(started.json.id)).length, 1);
});

test('killed (SIGKILL) between charged and recorded: completed after restart, not repeated', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  const started = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'kill-' + randomBytes(6).toString('hex') } });
  assert.equal(started.status, 201, started.body);
  await payAtBank(started.json.action_url);  // charged at the bank; the browser never comes back
  server.child.kill('SIGKILL');
  await server.exited;
  server = await startPortal();
  client.baseUrl = server.url;
  const done = await waitFor(() => paymentState(client, started.json.id), (p) => p.state === 'succeeded' && p.items.every((i) => i.reported),
    { what: 'completion after the restart', timeoutMs: 20000 });
  assert.equal(done.amount, fine.amount_due);
  assert.equal((await bankPayments(started.json.id)).length, 1);
  assert.equal(scalar(database, `SELECT COUNT(*) FROM payments_ledger WHERE movement = 'received' AND account = 'payee:${fine.uin}'`), '1');
});

test('the bank is down when paying starts: the payment waits, a retry opens one page', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  await faults('bank', { down: true });
  let started;
  try {
    started = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'down-' + randomBytes(6).toString('hex') } });
    assert.equal(started.status, 201, started.body);
    assert.equal(started.json.state, 'created');
    assert.equal(started.json.acquirer_unavailable, true);
  } finally {
    await clearFaults();
  }
  const page = await client.get(`/payments/${started.json.id}`);
  assert.equal(page.status, 200);
  const go = await client.postForm(`/payments/${started.json.id}/continue`, {});
  assert.equal(go.status, 303);
  const opened = await paymentState(client, started.json.id);
  assert.equal(opened.state, 'awaiting_confirmation');
  assert.ok(opened.action_url.startsWith(registries.url + '/bank/checkout/'));
  const go2 = await client.postForm(`/payments/${started.json.id}/continue`, {});
  assert.equal(go2.status, 303);
  assert.equal((await paymentState(client, started.json.id)).action_url, opened.action_url);
  assert.equal((await bankPayments(started.json.id)).length, 1);
});

test('the authority is down: the payment succeeds and the report catches up', async () => {
  const client = await signedIn();
  const fine = await payableFine(client);
  await faults('gibdd', { down: true });
  let id;
  try {
    const started = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'auth-' + randomBytes(6).toString('hex') } });
    id = started.json.id;
    const back = await payAtBank(started.json.action_url);
    await client.get(back.pathname + back.search);
    const p = await paymentState(client, id);
    assert.equal(p.state, 'succeeded');
    assert.equal(p.items[0].reported, false);
  } finally {
    await clearFaults();
  }
  await waitFor(() => paymentState(client, id), (p) => p.items.every((i) => i.reported), { what: 'the report after the authority is back', timeoutMs: 20000 });
});

test('an abandoned payment expires, the bank page closes and the charge is free again', async () => {
  // A sandbox of its own: outbox ids of a fresh database start again at 1, and
  // the SMS gateway would take them for repeats of the first server's messages.
  const ownRegistries = await startRegistries();
  const shortDb = freshDatabase();
  const args = serverArgs.map((a) => (a === registries.url ? ownRegistries.url : a));
  const short = await startServer([...args, '--payment-expire-seconds', '2'], { database: shortDb });
  const bankPayments = async (orderId) => (await (await fetch(`${ownRegistries.url}/bank/payments?order_id=${orderId}`)).json()).payments;
  const nextSms = async (phone) => {
    const res = await waitFor(() => fetch(`${ownRegistries.url}/sms/messages?phone=${encodeURIComponent(phone)}`).then((r) => r.json()),
      (j) => j.messages && j.messages.length > 0, { what: 'an SMS code' });
    return res.messages[0].text.match(/\d{6}/)[0];
  };
  try {
    const client = new Client(short.url);
    await registerViaApi({ nextSmsCode: (phone) => nextSms(phone) }, client, { contact: uniquePhone() });
    const fine = await payableFine(client);
    const started = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'exp-' + randomBytes(6).toString('hex') } });
    assert.equal(started.status, 201, started.body);
    const expired = await waitFor(() => client.api('GET', `/api/v1/payments/${started.json.id}`).then((r) => r.json), (p) => p.state === 'expired', { what: 'expiry', timeoutMs: 20000 });
    assert.equal(expired.state, 'expired');
    const atBank = await bankPayments(started.json.id);
    assert.equal(atBank[0].status, 'cancelled');
    const again = await client.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'exp2-' + randomBytes(6).toString('hex') } });
    assert.equal(again.status, 201, again.body);
  } catch (e) {
    console.error(short.log());
    throw e;
  } finally {
    await short.stop();
    await ownRegistries.stop();
    shortDb.drop();
  }
});

test('pages: the pay form posts a key per view, double submit goes to the same bank page; history filters', async () => {
  const client = await signedIn();
  const page = await client.postForm('/payments/fines', { by: 'licence', number: '59 47 179837' });
  assert.equal(page.status, 200);
  const key = page.body.match(/name="idempotency_key" value="([^"]+)"/)[1];
  const uin = page.body.match(/name="uin" value="(\d{20})"/)[1];
  const first = await client.postForm('/payments/pay', { idempotency_key: key, uin });
  const second = await client.postForm('/payments/pay', { idempotency_key: key, uin });
  assert.equal(first.status, 303);
  assert.equal(second.location, first.location);
  assert.match(first.location, /^\/payments\/[A-Za-z0-9_-]+$/);
  const mine = await client.get(first.location);
  assert.ok(mine.body.includes(`href="${registries.url}/bank/checkout/`), 'the way on to the bank');
  assert.equal((await bankPayments(first.location.split('/')[2])).length, 1);
  const hub = await client.get('/payments?state=awaiting_confirmation');
  assert.equal(hub.status, 200);
  assert.match(hub.body, /Ожидает подтверждения/);
  const none = await client.api('GET', '/api/v1/payments?state=succeeded');
  assert.equal(none.json.payments.length, 0);
  const badDate = await client.api('GET', '/api/v1/payments?from=31.12.2026');
  assert.equal(badDate.status, 422);
});

test('a printed receipt for a bank branch: PDF with the charge, amount in words; unknown charges 404', async () => {
  const client = new Client(server.url);
  const p5 = person('p0005');
  const debts = await client.api('POST', '/api/v1/payments/debts', {
    region: p5.address.region_code, surname: p5.surname, name: p5.name, patronymic: p5.patronymic, birth_date: p5.birth_date });
  const debt = debts.json.charges[0];
  const pdf = await client.get(`/payments/charges/${debt.uin}/receipt.pdf`);
  assert.equal(pdf.status, 200);
  const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-branch-'));
  try {
    writeFileSync(path.join(dir, 'b.pdf'), pdf.raw);
    execFileSync('pdftoppm', ['-png', '-r', '60', path.join(dir, 'b.pdf'), path.join(dir, 'page')]);
    const text = execFileSync('pdftotext', [path.join(dir, 'b.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.ok(text.includes(debt.uin));
    assert.match(text, /копе(йка|йки|ек)/);
    assert.ok(text.includes(debt.payee.bic));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal((await client.get('/payments/charges/18810477180001234563/receipt.pdf')).status, 404);
  assert.equal((await client.get('/payments/charges/18810477180001234560/receipt.pdf')).status, 404);
});

test('the payments operator finds any payment and reconciles the day with the bank, showing every difference', async () => {
  const phone = uniquePhone();
  const created = spawnSync(binary, ['admin', 'create-staff', '--role', 'payments', '--surname', 'Оператова', '--name', 'Ирина',
    '--phone', phone, '--database', database.url, '--data-key', dataKey], { cwd: root, encoding: 'utf8' });
  assert.equal(created.status, 0, created.stderr);
  const password = created.stdout.match(/one-time password[^:]*: (\S+)/)[1];
  const staff = new Client(server.url);
  const signin = await staff.api('POST', '/api/v1/identity/signin', { login: phone, password });
  assert.equal(signin.status, 200, signin.body);
  await staff.session();

  const citizen = await signedIn();
  // A page for another role is not shown to exist.
  assert.equal((await citizen.get('/payments/operator')).status, 404);
  assert.equal((await citizen.api('GET', '/api/v1/payments/operator/reconciliation?date=2026-01-01')).status, 404);
  assert.equal((await new Client(server.url).api('GET', '/api/v1/payments/operator/reconciliation?date=2026-01-01')).status, 401);

  const fine = await payableFine(citizen);
  const started = await citizen.api('POST', '/api/v1/payments', { uins: [fine.uin] }, { headers: { 'Idempotency-Key': 'op-' + randomBytes(6).toString('hex') } });
  const back = await payAtBank(started.json.action_url);
  await citizen.get(back.pathname + back.search);
  const found = await staff.get(`/payments/operator?payment=${started.json.id}`);
  assert.equal(found.status, 200);
  assert.ok(found.body.includes(started.json.id));
  assert.match(found.body, /Оплачен/);

  const today = new Date().toISOString().slice(0, 10);
  const clean = await staff.api('GET', `/api/v1/payments/operator/reconciliation?date=${today}`);
  assert.equal(clean.status, 200, clean.body);
  assert.deepEqual(clean.json.differences, []);
  assert.equal(clean.json.our_total, clean.json.bank_total);
  assert.ok(clean.json.our_count >= 1);

  // A payment the bank took for an order we never made.
  const foreign = await (await bank('/bank/checkouts', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'foreign-1' },
    body: JSON.stringify({ amount: 12300, order_id: 'foreign-order', return_url: 'http://127.0.0.1/back' }) })).json();
  await payAtBank(foreign.url);
  const diff = await staff.api('GET', `/api/v1/payments/operator/reconciliation?date=${today}`);
  assert.deepEqual(diff.json.differences.map((d) => [d.kind, d.payment_id, d.bank_amount]), [['missing_here', 'foreign-order', 12300]]);
  const page = await staff.get(`/payments/operator?date=${today}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /foreign-order/);
  assert.equal((await staff.api('GET', '/api/v1/payments/operator/reconciliation?date=03.12.2026')).status, 422);
});

test('a state fee through the charge interface: the owner sees and pays it, nobody else can', async () => {
  const owner = await signedIn();
  const fee = await owner.api('POST', '/test/payments/fees', { amount: 35000, purpose: 'Госпошлина за выдачу паспорта', reference: 'application:1' });
  assert.equal(fee.status, 201, fee.body);
  assert.match(fee.json.uin, /^777\d{17}$/);
  const hub = await owner.get('/payments');
  assert.ok(hub.body.includes(fee.json.uin));
  const stranger = await signedIn();
  const theirs = await stranger.api('POST', '/api/v1/payments', { uins: [fee.json.uin] }, { headers: { 'Idempotency-Key': 'fee-x-' + randomBytes(6).toString('hex') } });
  assert.equal(theirs.status, 404);
  assert.equal(theirs.json.error.code, 'payments.charge_unknown');
  assert.equal((await stranger.get(`/payments/charges/${fee.json.uin}/receipt.pdf`)).status, 404);
  assert.ok(!(await stranger.get('/payments')).body.includes(fee.json.uin));
  assert.equal((await owner.get(`/payments/charges/${fee.json.uin}/receipt.pdf`)).status, 200);

  const started = await owner.api('POST', '/api/v1/payments', { uins: [fee.json.uin] }, { headers: { 'Idempotency-Key': 'fee-' + randomBytes(6).toString('hex') } });
  assert.equal(started.status, 201, started.body);
  assert.equal(started.json.amount, 35000);
  const back = await payAtBank(started.json.action_url);
  await owner.get(back.pathname + back.search);
  const done = await waitFor(() => paymentState(owner, started.json.id), (p) => p.state === 'succeeded' && p.items[0].reported, { what: 'the fee paid' });
  assert.equal(done.items[0].source, 'fee');
  assert.ok(!(await owner.get('/payments')).body.includes(`fee-${fee.json.uin}`));
});

test("the account's own taxes are found by the INN of its profile, with a notification of each new charge", async () => {
  const p5 = person('p0005');
  const client = new Client(server.url);
  await registerViaApi({ nextSmsCode: (phone) => nextSms(phone) }, client, { contact: p5.phone, surname: p5.surname, name: p5.name });
  const profile = {
    surname: p5.surname, name: p5.name, patronymic: p5.patronymic, gender: p5.gender, birth_date: p5.birth_date,
    birth_place: p5.birth_place, snils: p5.snils, citizenship: p5.citizenship, document_type: 'passport_rf',
    passport: `${p5.passport.series} ${p5.passport.number}`, issue_date: p5.passport.issue_date,
    issued_by: p5.passport.issuer, department_code: p5.passport.department_code, submit: true };
  const put = await client.api('PUT', '/api/v1/account/profile', profile);
  assert.equal(put.status, 202, put.body);
  await waitFor(() => client.api('GET', '/api/v1/account/profile').then((r) => r.json.inn), (inn) => inn === p5.inn,
    { what: 'the INN from the tax service', timeoutMs: 30000 });
  const owed = p5.taxes.filter((t) => t.amount - (t.paid || 0) > 0).map((t) => t.uin).sort();
  assert.ok(owed.length > 0);
  const mine = await waitFor(() => client.api('GET', '/api/v1/payments').then((r) => r.json.charges),
    (charges) => charges.filter((c) => c.source === 'fns').length === owed.length, { what: 'own taxes found', timeoutMs: 20000 });
  assert.deepEqual(mine.filter((c) => c.source === 'fns').map((c) => c.uin).sort(), owed);
  const sms = await waitFor(() => fetch(`${registries.url}/sms/messages?phone=${encodeURIComponent(p5.phone)}`).then((r) => r.json()),
    (j) => j.messages.filter((m) => /начисление/.test(m.text)).length === owed.length, { what: 'an SMS per new charge' });
  assert.equal(sms.messages.filter((m) => /начисление/.test(m.text)).length, owed.length);
  // Another account sees none of them.
  const stranger = await signedIn();
  assert.deepEqual((await stranger.api('GET', '/api/v1/payments')).json.charges, []);
});
