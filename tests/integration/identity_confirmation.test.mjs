// ID-3 against real processes: `uslugi serve` with its job runner, the
// registries sandbox (Pension Fund, Interior Ministry, Post, bank, SMS) and
// staff accounts made with `uslugi admin`. Each way to the confirmed level:
// a registered letter (ordered, carried by the Post, code from the demo
// inbox), the online bank (matching data, other data, a refusal, the bank
// down), a service-centre operator (search, confirm, register on the spot);
// and who may not: an operator of another centre, a citizen, guessed ids.
// Runs on SQLite or PostgreSQL as USLUGI_TEST_DATABASE says; waits by polling.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { binary, root, startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries, person } from '../support/registries.mjs';
import { Client, nextSmsCode, smsMessages, registerViaApi, htmlText, escapeHtml, text, scalar } from '../support/identity.mjs';

const dataKey = randomBytes(32).toString('hex');
const centreA = 'mfc-perm-lenina-51';
const centreB = 'mfc-moskva-krasnaya-presnya-26';

let reg, server, database;
const stack = {
  get url() { return server.url; },
  nextSmsCode: (phone, seen) => nextSmsCode(reg, phone, seen),
  client: () => new Client(server.url),
};

function admin(...args) {
  const r = spawnSync(binary, ['admin', ...args, '--database', database.url, '--data-key', dataKey],
    { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// An operator of `centre`, signed in through the API.
async function operator(centre, email) {
  const out = admin('create-staff', '--role', 'operator', '--scope', centre, '--surname', 'Петрова', '--name', 'Ольга',
    '--email', email);
  const password = out.match(/one-time password[^:]*: (\S+)/)[1];
  const c = stack.client();
  const res = await c.api('POST', '/api/v1/identity/signin', { login: email, password });
  assert.equal(res.status, 200, res.body);
  await c.session();
  return c;
}

function profileOf(p) {
  return {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender,
    birth_date: p.birth_date, birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship,
    document_type: 'passport_rf', passport: `${p.passport.series} ${p.passport.number}`,
    issue_date: p.passport.issue_date, issued_by: p.passport.issuer, department_code: p.passport.department_code,
  };
}

// A demo person registered by phone, profile filled and checked: a standard account.
async function standard(id) {
  const p = person(id);
  const c = stack.client();
  await registerViaApi(stack, c, { surname: p.surname, name: p.name, contact: p.phone });
  const put = await c.api('PUT', '/api/v1/account/profile', { ...profileOf(p), submit: true });
  assert.equal(put.status, 202, put.body);
  await waitFor(async () => (await c.api('GET', '/api/v1/account')).json, (a) => a.level === 'standard',
    { what: `${id} reaching the standard level`, timeoutMs: 30000 });
  return { c, p };
}

const level = async (c) => (await c.api('GET', '/api/v1/account')).json.level;

const setFault = (registry, fault) => fetch(`${reg.url}/admin/faults/${registry}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
}).then((r) => assert.equal(r.status, 200));

// The letters the demo inbox shows (those that reached the post office).
async function inboxLetters() {
  const html = await (await fetch(`${reg.url}/demo/inbox`)).text();
  return html;
}

before(async () => {
  reg = await startRegistries(['--post-delivery-seconds', '2']);
  database = freshDatabase();
  const seeded = spawnSync(binary, ['seed', '--database', database.url], { cwd: root, encoding: 'utf8' });
  assert.equal(seeded.status, 0, seeded.stderr);
  server = await startServer(['--trust-proxy', '--registries-url', reg.url, '--job-poll-ms', '100',
    '--job-backoff-base', '1', '--job-backoff-cap', '2', '--data-key', dataKey], { database });
});

after(async () => {
  await server?.stop();
  await reg?.stop();
  database?.drop();
});

const address = { postcode: '614000', region: 'Пермский край', city: 'Пермь', street: 'ул. Ленина', house: '51', flat: '7' };

describe('registered letter', () => {
  test('ordered, carried by the Post with a tracking number, the code from the inbox confirms once', async () => {
    const { c } = await standard('p0001');
    const page = await c.get('/account/confirm');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(htmlText('confirmation.mail.title')));
    assert.ok(page.body.includes('action="/account/confirm/mail"'));
    assert.ok(page.body.includes('name="_csrf"'));

    // Bad address: a clear message per field, nothing ordered.
    const bad = await c.postForm('/account/confirm/mail', { ...address, postcode: '61400', city: '' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.includes(htmlText('confirmation.error.postcode')));
    assert.ok(bad.body.includes(htmlText('confirmation.error.required')));
    assert.equal(scalar(database, 'SELECT COUNT(*) FROM identity_confirm_letters'), '0');

    // The Post is down when the letter is ordered: the order is kept and goes out later.
    await setFault('post', { down: true });
    const ordered = await c.postForm('/account/confirm/mail', address);
    assert.equal(ordered.status, 303);
    assert.equal(ordered.location, '/account/confirm?done=ordered');
    const waiting = await c.get('/account/confirm');
    assert.ok(waiting.body.includes(htmlText('confirmation.mail.waiting_for_post')), 'the user is told to wait');
    await setFault('post', { down: false });

    // Tracking number and status reach "My details" (a job follows the Post).
    const details = await waitFor(() => c.get('/account/details'),
      (r) => /data-letter-tracking>\d{14}</.test(r.body), { what: 'the tracking number', timeoutMs: 30000 });
    const tracking = details.body.match(/data-letter-tracking>(\d{14})</)[1];
    await waitFor(() => c.get('/account/details'),
      (r) => r.body.includes(`data-letter-status>${htmlText('confirmation.mail.status.arrived')}<`) ||
        r.body.includes(`data-letter-status>${htmlText('confirmation.mail.status.handed_over')}<`),
      { what: 'the letter delivered', timeoutMs: 30000 });
    const tracked = await (await fetch(`${reg.url}/post/letters/${tracking}`)).json();
    assert.equal(tracked.tracking_number, tracking);

    // The demo inbox shows the letter with the code.
    const inbox = await waitFor(inboxLetters, (h) => h.includes(tracking), { what: 'the letter in the inbox' });
    const code = inbox.slice(inbox.indexOf(tracking)).match(/Услуги: (\d{8})/)[1];
    assert.ok(code);

    // A second letter is too early; the page says from which date.
    const early = await c.postForm('/account/confirm/mail', address);
    assert.equal(early.status, 409);
    assert.ok(early.body.includes(htmlText('confirmation.mail.too_early')));
    assert.match(early.body, /data-next-letter>[^<]*\d{4}/);

    const wrong = code === '11111111' ? '22222222' : '11111111';
    const w = await c.postForm('/account/confirm/mail/code', { code: wrong });
    assert.equal(w.status, 422);
    assert.ok(w.body.includes(escapeHtml(text('confirmation.mail.code_wrong').replace('{tries}', '4'))));
    assert.equal(await level(c), 'standard');
    const short = await c.postForm('/account/confirm/mail/code', { code: '12' });
    assert.equal(short.status, 422);
    assert.ok(short.body.includes(htmlText('confirmation.mail.code_invalid')));

    // A wrong try asks for a pause before the next (throttles): the right code is accepted once it passes.
    const ok = await waitFor(() => c.postForm('/account/confirm/mail/code', { code }),
      (r) => r.status !== 429, { what: 'the pause after a wrong code', timeoutMs: 20000 });
    assert.equal(ok.status, 303, ok.body.slice(0, 500));
    assert.equal(ok.location, '/account/confirm?done=confirmed');
    assert.equal(await level(c), 'confirmed');
    const me = (await c.api('GET', '/api/v1/account')).json;
    assert.equal(me.confirmed_by ?? 'registered_mail', 'registered_mail');

    // Used: the account is confirmed now, nothing more to confirm.
    const again = await c.postForm('/account/confirm/mail/code', { code });
    assert.equal(again.status, 409);
    // The user is told by SMS.
    await waitFor(() => smsMessages(reg, person('p0001').phone),
      (list) => list.some((m) => m.text.includes('подтверждена')), { what: 'the SMS about the confirmed account' });
  });
});

// From /account/confirm to the bank's sign-in page and back with the bank's code.
async function throughBank(c, phone, { cancel = false } = {}) {
  const start = await c.postForm('/account/confirm/bank', {});
  assert.equal(start.status, 303, start.body.slice(0, 300));
  const authorize = new URL(start.location);
  assert.equal(authorize.pathname, '/bank/id/authorize');
  const form = new URLSearchParams({
    client_id: authorize.searchParams.get('client_id'), redirect_uri: authorize.searchParams.get('redirect_uri'),
    state: authorize.searchParams.get('state'), phone, password: 'demo',
  });
  if (cancel) form.set('action', 'cancel');
  const bank = await fetch(`${reg.url}/bank/id/authorize`, { method: 'POST', body: form, redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(bank.status, 303);
  const back = new URL(bank.headers.get('location'));
  assert.equal(back.pathname, '/account/confirm/bank/return');
  return { back: back.pathname + back.search, state: authorize.searchParams.get('state') };
}

describe('online bank', () => {
  test('the bank returns other data: the message names the field; a refusal and a bank that is down are said plainly; then it confirms', async () => {
    const { c, p } = await standard('p0002');
    // Someone else's bank account (p0005 signs in): the surname differs.
    const other = await throughBank(c, person('p0005').phone);
    const mismatch = await c.get(other.back);
    assert.equal(mismatch.status, 422);
    assert.ok(mismatch.body.includes(escapeHtml(text('confirmation.bank.mismatch')
      .replace('{field}', text('confirmation.field.surname')))), 'the field that differs is named');
    assert.equal(await level(c), 'standard');

    // The person cancels at the bank.
    const cancelled = await throughBank(c, p.phone, { cancel: true });
    const declined = await c.get(cancelled.back);
    assert.equal(declined.status, 403);
    assert.ok(declined.body.includes(htmlText('confirmation.bank.declined')));

    // The bank is down when the portal exchanges the code: wait and retry, nothing lost.
    const trip = await throughBank(c, p.phone);
    await setFault('bank', { down: true });
    const down = await c.get(trip.back);
    await setFault('bank', { down: false });
    assert.equal(down.status, 503);
    assert.ok(down.body.includes(htmlText('confirmation.bank.unavailable')));

    // Another browser cannot use this return link.
    const stranger = stack.client();
    await registerViaApi(stack, stranger, { surname: 'Иванова', name: 'Нина', contact: '+79000000001' });
    const foreign = await throughBank(c, p.phone);
    const refused = await stranger.get(foreign.back);
    assert.equal(refused.status, 400);

    const ok = await throughBank(c, p.phone);
    const done = await c.get(ok.back);
    assert.equal(done.status, 303);
    assert.equal(done.location, '/account/confirm?done=confirmed');
    assert.equal(await level(c), 'confirmed');
    // The code the bank gave is single use: replaying the return changes nothing and errs plainly.
    const replay = await c.get(ok.back);
    assert.notEqual(replay.status, 500);
  });
});

describe('service-centre operator', () => {
  let opA, opB;
  before(async () => {
    opA = await operator(centreA, `op-a-${randomBytes(3).toString('hex')}@example.org`);
    opB = await operator(centreB, `op-b-${randomBytes(3).toString('hex')}@example.org`);
  });

  test('finds a person by SNILS, confirms after the passport check; the read shows in "Who accessed my data"', async () => {
    const { c, p } = await standard('p0009');
    const home = await opA.get('/operator');
    assert.equal(home.status, 200);
    assert.ok(home.body.includes('name="_csrf"'));

    const invalid = await opA.postForm('/operator/search', { kind: 'snils', value: '123' });
    assert.equal(invalid.status, 422);
    const nobody = await opA.postForm('/operator/search', { kind: 'snils', value: '112-233-445 95' });
    assert.equal(nobody.status, 404);
    assert.ok(nobody.body.includes(htmlText('confirmation.operator.not_found')));

    const found = await opA.postForm('/operator/search', { kind: 'snils', value: p.snils });
    assert.equal(found.status, 200);
    assert.ok(found.body.includes(`${p.surname} ${p.name}`));
    assert.ok(!found.body.includes(p.phone), 'the operator sees no contacts');
    const ref = found.body.match(/name="ref" value="([^"]+)"/)[1];

    // Another centre's operator, a citizen, guessed ids: 404 (or the role's refusal).
    const other = await opB.postForm('/operator/confirm', { ref, passport_checked: '1', passport: `${p.passport.series} ${p.passport.number}` });
    assert.equal(other.status, 404);
    const accountId = scalar(database, `SELECT MAX(id) FROM identity_accounts WHERE level = 'standard'`);
    const guessed = await opA.postForm('/operator/confirm', { ref: accountId, passport_checked: '1', passport: '4508 123456' });
    assert.equal(guessed.status, 404);
    const citizen = await c.postForm('/operator/confirm', { ref, passport_checked: '1', passport: `${p.passport.series} ${p.passport.number}` });
    assert.ok([403, 404].includes(citizen.status), String(citizen.status));
    assert.ok([403, 404].includes((await c.get('/operator')).status));
    assert.equal(await level(c), 'standard');

    const unchecked = await opA.postForm('/operator/confirm', { ref, passport: `${p.passport.series} ${p.passport.number}` });
    assert.equal(unchecked.status, 422);
    assert.ok(unchecked.body.includes(htmlText('confirmation.error.passport_not_checked')));
    const differs = await opA.postForm('/operator/confirm', { ref, passport_checked: '1', passport: '0000 000000' });
    assert.equal(differs.status, 422);
    assert.ok(differs.body.includes(htmlText('confirmation.operator.passport_differs')));
    assert.equal(await level(c), 'standard');

    const done = await opA.postForm('/operator/confirm', { ref, passport_checked: '1', passport: `${p.passport.series}${p.passport.number}` });
    assert.equal(done.status, 200);
    assert.ok(done.body.includes(htmlText('confirmation.operator.done')));
    assert.equal(await level(c), 'confirmed');

    // Who accessed my data: the operator, with the centre's name.
    const access = await c.get('/account/access-log');
    assert.equal(access.status, 200);
    assert.ok(access.body.includes('Петрова'), 'the operator is named');
  });

  test('registers a person on the spot: confirmed at once, the person gets an SMS and sets the password', async () => {
    const p = person('p0010');
    const form = await opA.get('/operator/register');
    assert.equal(form.status, 200);
    const bad = await opA.postForm('/operator/register', { ...profileOf(p), snils: '1', phone: 'x' });
    assert.equal(bad.status, 422);
    const fields = { ...profileOf(p), phone: p.phone };
    delete fields.citizenship;
    delete fields.document_type;
    const res = await opA.postForm('/operator/register', fields);
    assert.equal(res.status, 200, res.body.slice(0, 1500));
    assert.ok(res.body.includes(htmlText('confirmation.operator.registered')));
    assert.ok(!/password|пароль/i.test(res.body.match(/data-operator-result>([^<]*)</)[1].replace(htmlText('confirmation.operator.registered'), '')));
    const sms = await waitFor(() => smsMessages(reg, p.phone), (list) => list.some((m) => m.text.includes('/recover')),
      { what: 'the SMS with the way to set a password' });
    assert.ok(sms.length > 0);
    const found = await opA.postForm('/operator/search', { kind: 'passport', value: `${p.passport.series} ${p.passport.number}` });
    assert.equal(found.status, 200);
    assert.ok(found.body.includes(htmlText('identity.level.confirmed')));
    // Again: the phone belongs to an account already.
    const twice = await opA.postForm('/operator/register', fields);
    assert.equal(twice.status, 422);
    assert.ok(twice.body.includes(htmlText('confirmation.error.phone_taken')));
  });
});
