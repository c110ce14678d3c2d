// The /api/v1/ twins of the confirmation pages (ID-3) against real processes:
// `uslugi serve` with its job runner and the registries sandbox. What the
// ways look like as JSON, the registered letter ordered and its code typed
// through the API (field errors and refusals with stable codes), the trip to
// the bank started through the API, and who may not: no session (401), no
// CSRF token (403), an account that is not standard (409).
// Runs on SQLite or PostgreSQL as USLUGI_TEST_DATABASE says; waits by polling.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { binary, root, startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries, person } from '../support/registries.mjs';
import { Client, nextSmsCode, registerViaApi, text, scalar, uniquePhone } from '../support/identity.mjs';

const dataKey = randomBytes(32).toString('hex');
let reg, server, database;
const stack = {
  get url() { return server.url; },
  nextSmsCode: (phone, seen) => nextSmsCode(reg, phone, seen),
  client: () => new Client(server.url),
};

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

const overview = async (c) => {
  const res = await c.api('GET', '/api/v1/account/confirm');
  assert.equal(res.status, 200, res.body);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  return res.json;
};

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
const targets = ['/api/v1/account/confirm/mail', '/api/v1/account/confirm/mail/code', '/api/v1/account/confirm/bank'];

describe('access', () => {
  test('without a session every twin answers 401 in JSON; without the CSRF token 403', async () => {
    const anon = stack.client();
    const get = await anon.api('GET', '/api/v1/account/confirm');
    assert.equal(get.status, 401);
    assert.equal(get.json.error.code, 'identity.signin_required');
    for (const target of targets) {
      const res = await anon.api('POST', target, {});
      assert.equal(res.status, 401, target);
      assert.equal(res.json.error.code, 'identity.signin_required', target);
    }
    const { c } = await standard('p0009');
    for (const target of targets) {
      const res = await c.api('POST', target, { ...address, code: '12345678' }, { csrf: null });
      assert.equal(res.status, 403, target);
      assert.equal(res.json.error.code, 'csrf.invalid', target);
    }
    // Nothing was ordered by the forged requests.
    assert.equal(scalar(database, 'SELECT COUNT(*) FROM identity_confirm_letters'), '0');
  });

  test('a simplified account sees the ways closed and every way refuses with confirmation.not_standard', async () => {
    const c = stack.client();
    await registerViaApi(stack, c, { surname: 'Орлова', name: 'Вера', contact: uniquePhone() });
    const o = await overview(c);
    assert.equal(o.level, 'simplified');
    assert.equal(o.can_confirm, false);
    assert.equal(o.can_order_letter, false);
    assert.ok(o.ways.every((w) => w.available === false));
    assert.equal(o.confirmed, null);
    const mail = await c.api('POST', '/api/v1/account/confirm/mail', address);
    assert.equal(mail.status, 409, mail.body);
    assert.equal(mail.json.error.code, 'confirmation.not_standard');
    assert.equal(mail.json.error.message, text('confirmation.not_standard'));
    const bank = await c.api('POST', '/api/v1/account/confirm/bank', {});
    assert.equal(bank.status, 409, bank.body);
    assert.equal(bank.json.error.code, 'confirmation.not_standard');
    const code = await c.api('POST', '/api/v1/account/confirm/mail/code', { code: '12345678' });
    assert.equal(code.status, 409, code.body);
    assert.equal(code.json.error.code, 'confirmation.not_standard');
  });
});

describe('registered letter through the API', () => {
  test('the ways, bad addresses with field codes, an order, too early, a wrong code, the right code once', async () => {
    const { c } = await standard('p0001');
    const first = await overview(c);
    assert.equal(first.level, 'standard');
    assert.equal(first.can_confirm, true);
    assert.deepEqual(first.ways.map((w) => w.method), ['service_centre', 'registered_mail', 'qualified_signature', 'bank']);
    assert.ok(first.ways.every((w) => w.available === true && w.title === text(`confirmation.method.${w.method}`)));
    assert.ok(Array.isArray(first.centres) && first.centres.length > 0, 'the nearest centres are listed');
    assert.ok(first.centres.every((x) => x.id && x.name && x.address));
    assert.equal(first.letter, null);
    assert.equal(first.can_order_letter, true);
    assert.equal(first.next_letter_at, null);
    const noLetter = await c.api('POST', '/api/v1/account/confirm/mail/code', { code: '12345678' });
    assert.equal(noLetter.status, 409, noLetter.body);
    assert.equal(noLetter.json.error.code, 'confirmation.code.no_letter');

    // Bad input: a stable code per field, nothing ordered; a body that is not an object is a 400.
    const bad = await c.api('POST', '/api/v1/account/confirm/mail', { ...address, postcode: '61400', city: '' });
    assert.equal(bad.status, 422, bad.body);
    assert.equal(bad.json.error.code, 'confirmation.invalid_address');
    assert.equal(bad.json.error.fields.postcode.code, 'postcode');
    assert.equal(bad.json.error.fields.postcode.message, text('confirmation.error.postcode'));
    assert.equal(bad.json.error.fields.city.code, 'required');
    assert.equal(bad.json.error.fields.street, undefined);
    const long = await c.api('POST', '/api/v1/account/confirm/mail', { ...address, house: '1'.repeat(40) });
    assert.equal(long.status, 422);
    assert.equal(long.json.error.fields.house.code, 'too_long');
    const notObject = await c.api('POST', '/api/v1/account/confirm/mail', [address]);
    assert.equal(notObject.status, 400);
    const notString = await c.api('POST', '/api/v1/account/confirm/mail', { ...address, city: { a: 1 } });
    assert.equal(notString.status, 400);
    assert.equal(scalar(database, 'SELECT COUNT(*) FROM identity_confirm_letters'), '0');

    const ordered = await c.api('POST', '/api/v1/account/confirm/mail', address);
    assert.equal(ordered.status, 201, ordered.body);
    assert.equal(ordered.json.ordered, true);
    assert.equal(ordered.json.letter.used, false);
    assert.match(ordered.json.letter.address, /614000/);
    const nextAt = Date.parse(ordered.json.next_letter_at);
    assert.ok(nextAt - Date.now() > 29 * 86400e3 && nextAt - Date.now() < 31 * 86400e3, 'a new letter in 30 days');
    assert.equal(scalar(database, 'SELECT COUNT(*) FROM identity_confirm_letters'), '1');

    // Too early: the date from which a new letter may be ordered.
    const early = await c.api('POST', '/api/v1/account/confirm/mail', address);
    assert.equal(early.status, 409);
    assert.equal(early.json.error.code, 'confirmation.too_early');
    assert.equal(early.json.error.next_letter_at, ordered.json.next_letter_at);
    assert.ok(early.json.error.message.startsWith(text('confirmation.mail.too_early')));

    // The Post takes it: the tracking number and the status reach the JSON overview.
    const tracked = await waitFor(() => overview(c), (o) => /^\d{14}$/.test(o.letter?.tracking ?? ''),
      { what: 'the tracking number', timeoutMs: 30000 });
    assert.equal(tracked.can_order_letter, false);
    assert.equal(tracked.next_letter_at, ordered.json.next_letter_at);
    const delivered = await waitFor(() => overview(c), (o) => ['arrived', 'handed_over'].includes(o.letter.status),
      { what: 'the letter delivered', timeoutMs: 30000 });
    assert.equal(delivered.letter.status_text, text(`confirmation.mail.status.${delivered.letter.status}`));
    assert.equal(delivered.letter.can_type_code, true);
    const tracking = delivered.letter.tracking;
    const inbox = await waitFor(async () => (await fetch(`${reg.url}/demo/inbox`)).text(), (h) => h.includes(tracking),
      { what: 'the letter in the inbox' });
    const code = inbox.slice(inbox.indexOf(tracking)).match(/Услуги: (\d{8})/)[1];

    const wrong = await c.api('POST', '/api/v1/account/confirm/mail/code', { code: code === '11111111' ? '22222222' : '11111111' });
    assert.equal(wrong.status, 422, wrong.body);
    assert.equal(wrong.json.error.code, 'confirmation.code.wrong');
    assert.equal(wrong.json.error.tries_left, 4);
    const invalid = await c.api('POST', '/api/v1/account/confirm/mail/code', { code: '12' });
    // The format is checked before anything else, so no pause applies to it.
    assert.equal(invalid.status, 422, invalid.body);
    assert.equal(invalid.json.error.code, 'confirmation.code.invalid');
    assert.equal(invalid.json.error.message, text('confirmation.mail.code_invalid'));
    assert.equal((await c.api('GET', '/api/v1/account')).json.level, 'standard');

    // After the pause a wrong try asks for, the right code confirms.
    const ok = await waitFor(() => c.api('POST', '/api/v1/account/confirm/mail/code', { code }),
      (r) => r.status !== 429, { what: 'the pause after a wrong code', timeoutMs: 20000 });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(ok.json, { confirmed: true, level: 'confirmed', method: 'registered_mail' });
    const after = await overview(c);
    assert.equal(after.level, 'confirmed');
    assert.equal(after.can_confirm, false);
    assert.equal(after.confirmed.method, 'registered_mail');
    assert.ok(Math.abs(Date.parse(after.confirmed.at) - Date.now()) < 120e3);
    assert.equal(after.letter.used, true);

    // Used: nothing more to confirm.
    const again = await c.api('POST', '/api/v1/account/confirm/mail/code', { code });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'confirmation.not_standard');
  });
});

describe('online bank through the API', () => {
  test('the API answers the bank\'s address; the trip back confirms the account', async () => {
    const { c, p } = await standard('p0002');
    const start = await c.api('POST', '/api/v1/account/confirm/bank', {});
    assert.equal(start.status, 200, start.body);
    const authorize = new URL(start.json.redirect);
    assert.equal(authorize.origin, new URL(reg.url).origin);
    assert.equal(authorize.pathname, '/bank/id/authorize');
    assert.equal(new URL(authorize.searchParams.get('redirect_uri')).pathname, '/account/confirm/bank/return');
    assert.ok(authorize.searchParams.get('state'));
    const form = new URLSearchParams({
      client_id: authorize.searchParams.get('client_id'), redirect_uri: authorize.searchParams.get('redirect_uri'),
      state: authorize.searchParams.get('state'), phone: p.phone, password: 'demo',
    });
    const bank = await fetch(`${reg.url}/bank/id/authorize`, { method: 'POST', body: form, redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(bank.status, 303);
    const back = new URL(bank.headers.get('location'));
    const done = await c.get(back.pathname + back.search);
    assert.equal(done.status, 303, done.body.slice(0, 300));
    const o = await overview(c);
    assert.equal(o.level, 'confirmed');
    assert.equal(o.confirmed.method, 'bank');
    // Confirmed: the way is closed now.
    const again = await c.api('POST', '/api/v1/account/confirm/bank', {});
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'confirmation.not_standard');
  });
});
