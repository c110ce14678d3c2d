// The registries sandbox (`uslugi registries`) over HTTP: each registry's API
// for known demo people, stable error codes for bad input, faults (latency,
// errors, down and back up), idempotent bank payments and SMS, and the demo
// inbox with SMS, push, e-mails from the SMTP sink's Maildir and letters.
import { test, before, after, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRegistries, people, organisations, person } from '../support/registries.mjs';

let sandbox;
before(async () => { sandbox = await startRegistries(['--post-delivery-seconds', '1']); });
after(async () => {
  const { code } = await sandbox.stop();
  assert.equal(code, 0, 'the sandbox exits 0 on SIGTERM');
});

const url = (p) => sandbox.url + p;
const get = (p, init = {}) => fetch(url(p), init);
const send = (method, p, body, headers = {}) =>
  fetch(url(p), {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const post = (p, body, headers) => send('POST', p, body, headers);
const put = (p, body) => send('PUT', p, body);
async function json(res, status) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  return JSON.parse(text);
}
async function expectError(res, status, code, field) {
  const body = await json(res, status);
  assert.equal(body.error?.code, code, JSON.stringify(body));
  assert.equal(typeof body.error.message, 'string');
  if (field !== undefined) assert.equal(body.error.field, field);
  return body;
}
const who = (p) => ({ surname: p.surname, name: p.name, patronymic: p.patronymic, birth_date: p.birth_date });
const anna = person('p0001'), petr = person('p0002'), maria = person('p0003'), dmitry = person('p0004');
const rustam = person('p0005'), olga = person('p0006'), ivanovA = person('p0007'), ivanovB = person('p0008');
const hostile = ["'; DROP TABLE people; --", '<script>alert(1)</script>', 'Robert"); DELETE FROM x;', '\u202Eevil'];
const tenKB = 'Я'.repeat(5 * 1024);

describe('the sandbox itself', () => {
  test('prints its address, describes itself, and answers JSON for unknown paths and methods', async () => {
    const root = await json(await get('/'), 200);
    assert.deepEqual(root.registries, ['pfr', 'mvd', 'fns', 'gibdd', 'fssp', 'post', 'bank', 'sms', 'push', 'utilities']);
    assert.deepEqual(await json(await get('/healthz'), 200), { status: 'ok' });
    await expectError(await get('/pfr/nothing-here'), 404, 'http.not_found');
    const res = await get('/pfr/snils/check');
    await expectError(res, 405, 'http.method_not_allowed');
    assert.equal(res.headers.get('allow'), 'POST');
  });

  test('the data behind it: at least 200 people and the organisations', () => {
    assert.ok(people.length >= 200);
    assert.ok(organisations.length >= 30);
  });

  test('bad bodies get stable codes: not JSON, not an object, too large', async () => {
    await expectError(await post('/pfr/snils/check', '{"snils":'), 400, 'request.invalid_json');
    await expectError(await post('/pfr/snils/check', '[1,2]'), 400, 'request.invalid_json');
    await expectError(await post('/pfr/snils/check', ''), 400, 'request.invalid_json');
    const huge = JSON.stringify({ snils: anna.snils, surname: 'x'.repeat(100 * 1024) });
    await expectError(await post('/pfr/snils/check', huge), 413, 'http.payload_too_large');
  });
});

describe('Pension Fund', () => {
  test('a SNILS matches its owner, mismatches anyone else, and unknown numbers are not found', async () => {
    assert.deepEqual(await json(await post('/pfr/snils/check', { snils: anna.snils, ...who(anna) }), 200),
      { snils: anna.snils, result: 'match' });
    // Case, ё and spacing do not matter; the digits may come without separators.
    const loose = { ...who(anna), surname: '  СМИРНОВА ', snils: anna.snils.replace(/\D/g, '') };
    assert.equal((await json(await post('/pfr/snils/check', loose), 200)).result, 'match');
    assert.equal((await json(await post('/pfr/snils/check', { snils: anna.snils, ...who(petr) }), 200)).result, 'mismatch');
    assert.equal((await json(await post('/pfr/snils/check', { snils: anna.snils, ...who(anna), gender: 'male' }), 200)).result, 'mismatch');
    assert.equal((await json(await post('/pfr/snils/check', { snils: '112-233-445 95', ...who(anna) }), 200)).result, 'not_found');
  });

  test('bad input: missing fields, malformed SNILS, 10 KB values, dates, SQL and HTML in names', async () => {
    await expectError(await post('/pfr/snils/check', who(anna)), 400, 'request.missing_field', 'snils');
    await expectError(await post('/pfr/snils/check', { snils: anna.snils }), 400, 'request.missing_field', 'surname');
    await expectError(await post('/pfr/snils/check', { snils: anna.snils, ...who(anna), birth_date: undefined }), 400, 'request.missing_field', 'birth_date');
    await expectError(await post('/pfr/snils/check', { snils: '112-233-445 96', ...who(anna) }), 422, 'snils.checksum', 'snils');
    await expectError(await post('/pfr/snils/check', { snils: '12345', ...who(anna) }), 422, 'snils.format', 'snils');
    await expectError(await post('/pfr/snils/check', { snils: 11223344595, ...who(anna) }), 400, 'request.invalid_field', 'snils');
    await expectError(await post('/pfr/snils/check', { snils: tenKB, ...who(anna) }), 422, 'snils.too_long', 'snils');
    await expectError(await post('/pfr/snils/check', { snils: anna.snils, ...who(anna), surname: tenKB }), 400, 'request.too_long', 'surname');
    await expectError(await post('/pfr/snils/check', { snils: anna.snils, ...who(anna), birth_date: '1990-02-30' }), 400, 'request.invalid_date', 'birth_date');
    await expectError(await post('/pfr/snils/check', { snils: anna.snils, ...who(anna), name: 'a\u0000b' }), 400, 'request.invalid_field', 'name');
    for (const h of hostile) {
      const body = await json(await post('/pfr/snils/check', { snils: anna.snils, ...who(anna), surname: h }), 200);
      assert.equal(body.result, 'mismatch', h);
    }
    // The message of a validator code says which rule failed.
    const { error } = await json(await post('/pfr/snils/check', { snils: '112-233-445 96', ...who(anna) }), 422);
    assert.match(error.message, /^snils: The SNILS check number/);
  });
});

describe('Interior Ministry', () => {
  const check = (p, extra = {}) => post('/mvd/passport/check', { series: p.passport.series, number: p.passport.number, ...extra });

  test('valid, lost, expired (20/45 rule), replaced and unknown passports, with their owner', async () => {
    const valid = await json(await check(anna, who(anna)), 200);
    assert.equal(valid.status, 'valid');
    assert.equal(valid.owner_matches, true);
    assert.deepEqual(valid.owner, who(anna));
    assert.equal(valid.valid_until, anna.passport.valid_until);

    const lost = await json(await check(maria), 200);
    assert.equal(lost.status, 'lost');
    assert.equal(lost.reason, 'reported_lost');
    const lostDate = new Date(Date.now() - maria.passport.lost.reported_days_ago * 86400e3).toISOString().slice(0, 10);
    assert.equal(lost.lost_date, lostDate);
    assert.equal(lost.owner_matches, undefined, 'no owner check unless asked');

    const expired = await json(await check(dmitry, who(dmitry)), 200);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.reason, 'age_limit');
    assert.equal(expired.owner_matches, true);
    assert.ok(expired.valid_until < new Date().toISOString().slice(0, 10));

    const old = anna.previous_passports[0];
    const replaced = await json(await post('/mvd/passport/check', { passport: `${old.series} ${old.number}` }), 200);
    assert.equal(replaced.status, 'expired');
    assert.equal(replaced.reason, 'replaced');

    const oldLost = ivanovB.previous_passports[0];
    assert.equal((await json(await post('/mvd/passport/check', { series: oldLost.series, number: oldLost.number }), 200)).status, 'lost');
    assert.equal((await json(await check(ivanovB), 200)).status, 'valid');

    // Another person's data: the passport is valid, but not theirs.
    assert.equal((await json(await check(anna, who(petr)), 200)).owner_matches, false);
    assert.equal((await json(await check(anna, { ...who(anna), issue_date: '2001-01-01' }), 200)).owner_matches, false);
    assert.equal((await json(await check(anna, { ...who(anna), issue_date: anna.passport.issue_date, department_code: anna.passport.department_code }), 200)).owner_matches, true);

    const unknown = await json(await post('/mvd/passport/check', { series: '0000', number: '000001' }), 200);
    assert.deepEqual(unknown, { series: '0000', number: '000001', status: 'not_found' });
  });

  test('bad passports are refused with the validator codes', async () => {
    await expectError(await post('/mvd/passport/check', { series: '45', number: '123' }), 422, 'passport.format');
    await expectError(await post('/mvd/passport/check', { series: '45 10' }), 400, 'request.missing_field', 'number');
    await expectError(await post('/mvd/passport/check', { passport: tenKB }), 422, 'passport.too_long', 'passport');
    await expectError(await post('/mvd/passport/check', { passport: hostile[1] }), 422, 'passport.format', 'passport');
    await expectError(await post('/mvd/passport/check', { ...{ series: anna.passport.series, number: anna.passport.number }, surname: 'X' }), 400, 'request.missing_field', 'name');
  });
});

describe('Tax service', () => {
  test('finds the INN of a person by full name, birth date and passport', async () => {
    const body = { ...who(anna), passport_series: anna.passport.series, passport_number: anna.passport.number };
    assert.deepEqual(await json(await post('/fns/inn/find', body), 200), { result: 'found', inn: anna.inn });
    // An old (replaced) passport identifies the person too.
    const old = anna.previous_passports[0];
    assert.equal((await json(await post('/fns/inn/find', { ...who(anna), passport: `${old.series}${old.number}` }), 200)).inn, anna.inn);
    assert.deepEqual(await json(await post('/fns/inn/find', { ...body, ...who(petr) }), 200), { result: 'not_found' });
    await expectError(await post('/fns/inn/find', who(anna)), 400, 'request.missing_field', 'passport_series');
  });

  test('taxes accrued, paid and owed, property, and organisations', async () => {
    const taxes = await json(await get(`/fns/taxpayers/${rustam.inn}/taxes`), 200);
    assert.equal(taxes.inn, rustam.inn);
    assert.equal(taxes.accrued, taxes.paid + taxes.owed);
    assert.ok(taxes.owed > 0 && taxes.overdue > 0, 'Rustam owes taxes');
    assert.equal(taxes.items.length, rustam.taxes.length);
    for (const item of taxes.items) {
      assert.match(item.uin, /^182\d{17}$/);
      assert.match(item.due_date, /^\d{4}-12-01$/);
    }
    const property = await json(await get(`/fns/taxpayers/${rustam.inn}/property`), 200);
    assert.equal(property.vehicles.length, rustam.vehicles.length);
    assert.equal(property.vehicles[0].plate, rustam.vehicles[0].plate);

    const org = organisations.find((o) => o.kind === 'legal');
    assert.equal((await json(await get(`/fns/organisations/${org.ogrn}`), 200)).inn, org.inn);
    assert.equal((await json(await get(`/fns/organisations/${org.inn}`), 200)).ogrn, org.ogrn);
    const ip = organisations.find((o) => o.kind === 'entrepreneur');
    assert.equal((await json(await get(`/fns/organisations/${ip.ogrnip}`), 200)).person_id, ip.person_id);

    await expectError(await get('/fns/taxpayers/500100732258/taxes'), 422, 'inn_person.checksum', 'inn');
    await expectError(await get('/fns/taxpayers/500100732259/taxes'), 404, 'fns.taxpayer_not_found');
    await expectError(await get(`/fns/taxpayers/${encodeURIComponent(hostile[0])}/taxes`), 422, 'inn_person.format', 'inn');
    await expectError(await get('/fns/organisations/1027700132195'), 404, 'fns.organisation_not_found');
    await expectError(await get('/fns/organisations/1027700132194'), 422, 'ogrn.checksum');
  });
});

describe('Traffic police', () => {
  test('fines by driver\'s licence and by vehicle certificate, with the early-payment discount', async () => {
    const licence = petr.driver_licence.number;
    const byLicence = await json(await get(`/gibdd/fines?licence=${encodeURIComponent(licence)}`), 200);
    assert.deepEqual(byLicence.document, { type: 'driver_licence', number: licence });
    assert.equal(byLicence.document_found, true);
    assert.equal(byLicence.fines.length, 2, 'two unpaid fines by licence');
    for (const f of byLicence.fines) {
      assert.match(f.uin, /^188\d{17}$/);
      assert.equal(f.paid, false);
    }
    const discounted = byLicence.fines.find((f) => f.discount.active);
    assert.equal(discounted.article, '12.6');
    assert.equal(discounted.discount.rate_percent, 25);
    assert.equal(discounted.amount_due, discounted.amount * 0.75);
    const excluded = byLicence.fines.find((f) => !f.discount.eligible);
    assert.equal(excluded.article, '12.12 ч.3');
    assert.equal(excluded.amount_due, excluded.amount);
    assert.equal(byLicence.total_due, discounted.amount_due + excluded.amount_due);

    // Digits only are fine too; paid fines on request.
    const all = await json(await get(`/gibdd/fines?licence=${licence.replace(/\s/g, '')}&include_paid=true`), 200);
    assert.equal(all.fines.length, 3);
    assert.ok(all.fines.some((f) => f.paid && f.paid_date));

    const cert = petr.vehicles[0].certificate;
    const byCert = await json(await get(`/gibdd/fines?certificate=${encodeURIComponent(cert)}`), 200);
    assert.equal(byCert.fines.length, 2);
    for (const f of byCert.fines) assert.equal(f.plate, petr.vehicles[0].plate);

    const one = await json(await get(`/gibdd/fines/${discounted.uin}`), 200);
    assert.equal(one.uin, discounted.uin);
    const nobody = await json(await get('/gibdd/fines?licence=99%2099%20999999'), 200);
    assert.deepEqual([nobody.document_found, nobody.fines, nobody.total_due], [false, [], 0]);
  });

  test('bad input to the traffic police', async () => {
    await expectError(await get('/gibdd/fines'), 400, 'request.missing_field', 'licence');
    await expectError(await get('/gibdd/fines?licence=1&certificate=2'), 400, 'request.invalid_field');
    await expectError(await get('/gibdd/fines?licence=12345'), 422, 'driver_licence.format', 'licence');
    await expectError(await get(`/gibdd/fines?certificate=${encodeURIComponent(hostile[1])}`), 422, 'vehicle_certificate.format', 'certificate');
    await expectError(await get(`/gibdd/fines?licence=${'9'.repeat(10 * 1024)}`), 422, 'driver_licence.too_long');
    await expectError(await get('/gibdd/fines/18810477180001234560'), 422, 'uin.checksum', 'uin');
    await expectError(await get('/gibdd/fines/18810477180001234563'), 404, 'gibdd.fine_not_found');
  });

  test('a paid fine is reported once, then shows paid; another payment of it conflicts', async () => {
    const fine = petr.fines.find((f) => f.by === 'certificate' && !f.paid);
    const before = await json(await get(`/gibdd/fines/${fine.uin}`), 200);
    await expectError(await post(`/gibdd/charges/${fine.uin}/payment`, { payment_id: 'p-1', amount: 1 }), 422, 'charge.amount_insufficient', 'amount');
    const paid = await json(await post(`/gibdd/charges/${fine.uin}/payment`, { payment_id: 'p-1', amount: before.amount_due }), 200);
    assert.equal(paid.status, 'paid');
    assert.deepEqual(await json(await post(`/gibdd/charges/${fine.uin}/payment`, { payment_id: 'p-1', amount: before.amount_due }), 200), paid);
    await expectError(await post(`/gibdd/charges/${fine.uin}/payment`, { payment_id: 'p-2', amount: before.amount_due }), 409, 'charge.already_paid');
    const after = await json(await get(`/gibdd/fines/${fine.uin}`), 200);
    assert.equal(after.paid, true);
    assert.equal(after.amount_due, 0);
  });
});

describe('Bailiffs', () => {
  test('court debts by region, full name and birth date; namesakes told apart', async () => {
    const found = await json(await post('/fssp/debts/search', { region: rustam.address.region_code, ...who(rustam) }), 200);
    assert.equal(found.debts.length, 2);
    assert.equal(found.total_remaining, rustam.court_debts.reduce((s, d) => s + d.remaining, 0));
    for (const d of found.debts) {
      assert.match(d.number, /-ИП$/);
      assert.match(d.uin, /^322\d{17}$/);
      assert.equal(d.debtor.name, `${rustam.surname} ${rustam.name} ${rustam.patronymic}`);
    }
    // Another region: nothing.
    assert.deepEqual((await json(await post('/fssp/debts/search', { region: '77', ...who(rustam) }), 200)).debts, []);
    const a = await json(await post('/fssp/debts/search', { region: '63', ...who(ivanovA) }), 200);
    const b = await json(await post('/fssp/debts/search', { region: '63', ...who(ivanovB) }), 200);
    assert.equal(a.debts.length, ivanovA.court_debts.length);
    assert.ok(a.debts.length > 0);
    assert.equal(b.debts.length, 0);
  });

  test('bad input to the bailiffs', async () => {
    await expectError(await post('/fssp/debts/search', who(rustam)), 400, 'request.missing_field', 'region');
    await expectError(await post('/fssp/debts/search', { region: 'Татарстан', ...who(rustam) }), 400, 'request.too_long', 'region');
    await expectError(await post('/fssp/debts/search', { region: '1a', ...who(rustam) }), 400, 'request.invalid_field', 'region');
    await expectError(await post('/fssp/debts/search', { region: '16', ...who(rustam), birth_date: '30.11.1979' }), 400, 'request.invalid_date', 'birth_date');
    for (const h of hostile)
      assert.deepEqual((await json(await post('/fssp/debts/search', { region: '16', ...who(rustam), surname: h }), 200)).debts, []);
  });
});

describe('Post', () => {
  const letter = {
    recipient: { name: `${anna.surname} ${anna.name} ${anna.patronymic}`, address: { postcode: anna.address.postcode, text: anna.address.text } },
    sender: { name: 'Портал госуслуг', address: { postcode: '125993', text: 'Москва' } },
    content: 'Код подтверждения личности: 7341-2290',
  };

  test('a registered letter goes accepted → in transit → arrived → handed over, once per key', async () => {
    const sent = await json(await post('/post/letters', letter, { 'Idempotency-Key': 'letter-1' }), 201);
    assert.match(sent.tracking_number, /^125993\d{8}$/);
    assert.equal(sent.status, 'accepted');
    assert.equal(sent.recipient.postcode, anna.address.postcode);
    assert.equal(sent.content, undefined, 'tracking does not show what is inside');
    const again = await json(await post('/post/letters', letter, { 'Idempotency-Key': 'letter-1' }), 201);
    assert.equal(again.tracking_number, sent.tracking_number);
    await expectError(await post('/post/letters', { ...letter, content: 'other' }, { 'Idempotency-Key': 'letter-1' }), 409, 'idempotency.conflict');

    const seen = new Set();
    const deadline = Date.now() + 5000;
    let track;
    do {
      track = await json(await get(`/post/letters/${sent.tracking_number}`), 200);
      seen.add(track.status);
      if (track.status !== 'handed_over') await new Promise((r) => setTimeout(r, 100));
    } while (track.status !== 'handed_over' && Date.now() < deadline);
    assert.equal(track.status, 'handed_over');
    assert.ok(seen.has('in_transit') || seen.has('arrived'), [...seen].join());
    assert.deepEqual(track.history.map((h) => h.status), ['accepted', 'in_transit', 'arrived', 'handed_over']);
    assert.match(track.history[3].place, new RegExp(anna.address.postcode));

    // The letter with its content is in the demo inbox once it arrived.
    const inbox = await (await get('/demo/inbox')).text();
    assert.ok(inbox.includes(sent.tracking_number));
    assert.ok(inbox.includes('7341-2290'));
  });

  test('bad letters and tracking numbers', async () => {
    await expectError(await post('/post/letters', { content: 'x' }), 400, 'request.missing_field', 'recipient');
    await expectError(await post('/post/letters', { recipient: { name: 'A', address: { postcode: '12', text: 'x' } } }), 422, 'postcode.format', 'recipient.address.postcode');
    await expectError(await post('/post/letters', { ...letter, kind: 'pigeon' }), 400, 'request.invalid_field', 'kind');
    await expectError(await get('/post/letters/123'), 422, 'tracking.format');
    await expectError(await get('/post/letters/12599311000010'), 422, 'tracking.checksum');
    await expectError(await get('/post/letters/80105431221119'), 404, 'post.letter_not_found');
  });
});

describe('Bank: identity', () => {
  test('a customer signs in at the bank; the portal exchanges the one-time code for verified data', async () => {
    const { code } = await json(await post('/bank/id/sessions', { phone: anna.phone, password: 'demo' }), 201);
    const vouched = await json(await post('/bank/id/token', { code }), 200);
    assert.equal(vouched.verified, true);
    assert.equal(vouched.person.snils, anna.snils);
    assert.equal(vouched.person.inn, anna.inn);
    assert.equal(vouched.person.passport.number, anna.passport.number);
    assert.equal(vouched.person.address.text, anna.address.text);
    await expectError(await post('/bank/id/token', { code }), 400, 'bank.code_invalid', 'code');
    await expectError(await post('/bank/id/sessions', { phone: anna.phone, password: 'wrong' }), 401, 'bank.invalid_credentials');
    await expectError(await post('/bank/id/sessions', { phone: olga.phone, password: 'demo' }), 403, 'bank.not_customer');
    await expectError(await post('/bank/id/sessions', { phone: hostile[0], password: 'demo' }), 401, 'bank.invalid_credentials');
  });

  test('the browser flow: sign-in page, redirect back with code and state, cancel', async () => {
    const back = 'http://127.0.0.1:8080/account/bank/callback';
    const page = await get(`/bank/id/authorize?client_id=uslugi&redirect_uri=${encodeURIComponent(back)}&state=s%3C1`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<html lang="ru">/);
    assert.match(html, /ДЕМО/);
    assert.match(html, /<form class="card-form" action="\/bank\/id\/authorize" method="post">/);
    assert.ok(html.includes('value="s&lt;1"'), 'state is escaped');
    const form = (fields) => fetch(url('/bank/id/authorize'), {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'uslugi', redirect_uri: back, state: 's<1', ...fields }),
    });
    const ok = await form({ phone: anna.phone, password: 'demo', action: 'signin' });
    assert.equal(ok.status, 303);
    const location = new URL(ok.headers.get('location'));
    assert.equal(location.origin + location.pathname, back);
    assert.equal(location.searchParams.get('state'), 's<1');
    const vouched = await json(await post('/bank/id/token', { code: location.searchParams.get('code') }), 200);
    assert.equal(vouched.person.surname, anna.surname);

    const wrong = await form({ phone: anna.phone, password: 'nope' });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /Неверный телефон или пароль/);
    const cancel = await form({ action: 'cancel' });
    assert.equal(new URL(cancel.headers.get('location')).searchParams.get('error'), 'access_denied');
    await expectError(await get('/bank/id/authorize?redirect_uri=javascript:alert(1)'), 400, 'bank.invalid_redirect_uri');
  });
});

describe('Bank: card payments', () => {
  const card = { number: '4111 1111 1111 1111', expiry: '12/35', cvc: '123' };
  const pay = (body, key) => post('/bank/payments', body, key ? { 'Idempotency-Key': key } : {});

  test('the same idempotency key twice makes one payment', async () => {
    const body = { amount: 150000, description: 'Штраф', order_id: 'order-idem', card };
    const first = await json(await pay(body, 'key-1'), 201);
    assert.equal(first.status, 'succeeded');
    assert.deepEqual(first.card, { last4: '1111', brand: 'visa' });
    const replay = await pay(body, 'key-1');
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal((await json(replay, 201)).id, first.id);
    const list = await json(await get('/bank/payments?order_id=order-idem'), 200);
    assert.equal(list.payments.length, 1, 'one payment for one key');
    await expectError(await pay({ ...body, amount: 1 }, 'key-1'), 409, 'idempotency.conflict');
    await expectError(await pay(body), 400, 'idempotency.missing_key', 'Idempotency-Key');
    // Concurrent repeats still make one payment.
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => pay({ ...body, order_id: 'order-race' }, 'key-race').then((r) => r.json())));
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal((await json(await get('/bank/payments?order_id=order-race'), 200)).payments.length, 1);
  });

  test('declines, 3-D Secure in the browser, refunds', async () => {
    const declined = await json(await pay({ amount: 5000, card: { ...card, number: '4000000000000002' } }, 'key-d'), 201);
    assert.equal(declined.status, 'declined');
    assert.equal(declined.decline_reason, 'insufficient_funds');

    const pending = await json(await pay({ amount: 70000, description: 'Госпошлина', card: { ...card, number: '4000000000003220' }, return_url: 'http://127.0.0.1:8080/pay/return?x=1' }, 'key-3ds'), 201);
    assert.equal(pending.status, 'requires_action');
    assert.equal(pending.action.type, '3ds');
    const page = await (await fetch(pending.action.url)).text();
    assert.match(page, /700,00 ₽/);
    assert.match(page, /Демо: код — 123456/);
    const done = await fetch(pending.action.url.replace('/bank/3ds/', '/bank/3ds/'), {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'code=123456',
    });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `http://127.0.0.1:8080/pay/return?x=1&payment_id=${pending.id}&status=succeeded`);
    assert.equal((await json(await get(`/bank/payments/${pending.id}`), 200)).status, 'succeeded');
    await expectError(await post(`/bank/payments/${pending.id}/3ds`, { code: '123456' }), 409, 'payment.invalid_state');

    const wrongCode = await json(await pay({ amount: 100, card: { ...card, number: '4000000000003220' } }, 'key-3ds-2'), 201);
    assert.equal((await json(await post(`/bank/payments/${wrongCode.id}/3ds`, { code: '000000' }), 200)).decline_reason, '3ds_failed');

    const refund = await json(await post(`/bank/payments/${pending.id}/refunds`, { amount: 20000, reference: 'our-r-1' }, { 'Idempotency-Key': 'r-1' }), 201);
    assert.equal(refund.payment.refunded_amount, 20000);
    // The merchant's reference finds the refund again when its answer was lost.
    assert.deepEqual(refund.payment.refunds.map((r) => [r.reference, r.amount]), [['our-r-1', 20000]]);
    assert.equal((await json(await get(`/bank/payments/${pending.id}`), 200)).refunds[0].reference, 'our-r-1');
    assert.equal((await json(await post(`/bank/payments/${pending.id}/refunds`, { amount: 20000, reference: 'our-r-1' }, { 'Idempotency-Key': 'r-1' }), 201)).refund.id, refund.refund.id);
    await expectError(await post(`/bank/payments/${pending.id}/refunds`, { amount: 60000 }, { 'Idempotency-Key': 'r-2' }), 422, 'refund.amount_exceeds', 'amount');
    assert.equal((await json(await post(`/bank/payments/${pending.id}/refunds`, {}, { 'Idempotency-Key': 'r-3' }), 201)).payment.refunded_amount, 70000);
    await expectError(await post(`/bank/payments/${declined.id}/refunds`, {}, { 'Idempotency-Key': 'r-4' }), 409, 'payment.invalid_state');
    await expectError(await get('/bank/payments/pay_nothing'), 404, 'payment.not_found');
  });

  test('bad cards and amounts', async () => {
    await expectError(await pay({ amount: 100, card: { ...card, number: '4111111111111112' } }, 'b1'), 422, 'card.invalid_number', 'card.number');
    await expectError(await pay({ amount: 100, card: { ...card, expiry: '01/20' } }, 'b2'), 422, 'card.expired', 'card.expiry');
    await expectError(await pay({ amount: 100, card: { ...card, expiry: '13/30' } }, 'b3'), 422, 'card.invalid_expiry', 'card.expiry');
    await expectError(await pay({ amount: 100, card: { ...card, cvc: '12' } }, 'b4'), 422, 'card.invalid_cvc', 'card.cvc');
    await expectError(await pay({ amount: 0, card }, 'b5'), 400, 'request.invalid_field', 'amount');
    await expectError(await pay({ amount: '100', card }, 'b6'), 400, 'request.invalid_field', 'amount');
    await expectError(await pay({ amount: 100 }, 'b7'), 400, 'request.missing_field', 'card');
    await expectError(await pay({ amount: 100, card }, 'k'.repeat(300)), 400, 'idempotency.invalid_key');
  });
});

describe('SMS, push and the demo inbox', () => {
  test('an SMS is accepted once per key and appears in the demo inbox for its phone', async () => {
    const phone = '+7 912 555-01-02';
    const sent = await json(await post('/sms/messages', { phone, text: 'Код подтверждения: 918273' }, { 'Idempotency-Key': 'sms-1' }), 202);
    assert.equal(sent.phone, '+79125550102');
    assert.equal(sent.status, 'delivered');
    assert.equal(sent.segments, 1);
    assert.equal((await json(await post('/sms/messages', { phone, text: 'Код подтверждения: 918273' }, { 'Idempotency-Key': 'sms-1' }), 202)).id, sent.id);
    // The key may also come in the body.
    const a = await json(await post('/sms/messages', { phone, text: 'второе', message_id: 'sms-2' }), 202);
    assert.equal((await json(await post('/sms/messages', { phone, text: 'второе', message_id: 'sms-2' }), 202)).id, a.id);
    await json(await post('/push/messages', { phone, title: 'Заявление принято', body: 'Номер 123' }), 202);
    await json(await post('/sms/messages', { phone: '+79125550199', text: 'чужое <b>SMS</b>' }), 202);

    const list = await json(await get(`/sms/messages?phone=${encodeURIComponent(phone)}`), 200);
    assert.deepEqual(list.messages.map((m) => m.text), ['второе', 'Код подтверждения: 918273']);

    const res = await get(`/demo/inbox?phone=${encodeURIComponent(phone)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
    const html = await res.text();
    assert.match(html, /<html lang="ru">/);
    assert.match(html, /class="demo-badge">ДЕМО</);
    assert.match(html, /Код подтверждения: 918273/);
    assert.match(html, /Заявление принято/);
    assert.doesNotMatch(html, /чужое/, 'only this phone');
    assert.match(html, /href="\/demo\/inbox\?phone=%2B79125550199"/);
    const all = await (await get('/demo/inbox')).text();
    assert.ok(all.includes('чужое &lt;b&gt;SMS&lt;/b&gt;'), 'escaped');
    const bad = await (await get('/demo/inbox?phone=%3Cscript%3E')).text();
    assert.match(bad, /Это не номер мобильного телефона/);
    assert.ok(!bad.includes('<script>'));
  });

  test('bad messages', async () => {
    await expectError(await post('/sms/messages', { phone: '123', text: 'x' }), 422, 'mobile_phone.invalid', 'phone');
    await expectError(await post('/sms/messages', { phone: '+74951234567', text: 'x' }), 422, 'mobile_phone.not_mobile', 'phone');
    await expectError(await post('/sms/messages', { phone: '+79125550102' }), 400, 'request.missing_field', 'text');
    await expectError(await post('/sms/messages', { phone: '+79125550102', text: 'ж'.repeat(1001) }), 422, 'sms.text_too_long', 'text');
    await expectError(await post('/sms/messages', { phone: '+79125550102', text: tenKB }), 400, 'request.too_long', 'text');
    await expectError(await post('/push/messages', { phone: '+79125550102', body: 'x' }), 400, 'request.missing_field', 'title');
    await expectError(await get('/sms/messages'), 400, 'request.missing_field', 'phone');
  });

  test('an e-mail dropped into the Maildir shows decoded in the inbox', async () => {
    const subject = 'Подтвердите адрес электронной почты';
    const encoded = `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
    const body = Buffer.from('Здравствуйте!\nВаш код: 552211\nСсылка: http://127.0.0.1:8080/confirm?t=abc').toString('base64').replace(/(.{76})/g, '$1\r\n');
    const message = [
      'From: =?UTF-8?Q?=D0=93=D0=BE=D1=81=D1=83=D1=81=D0=BB=D1=83=D0=B3=D0=B8?= <noreply@uslugi.example>',
      'To: anna.test@example.org',
      `Subject: ${encoded}`,
      'Date: Mon, 23 Nov 2026 10:00:00 +0000',
      'Message-ID: <1@uslugi.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: base64',
      'X-RcptTo: anna.test@example.org',
      '',
      body,
      '',
    ].join('\r\n');
    writeFileSync(path.join(sandbox.mailDir, 'new', `${Date.now()}.M1P1.test`), message);
    writeFileSync(path.join(sandbox.mailDir, 'new', `${Date.now()}.M2P1.test`),
      'From: a@example.org\r\nTo: other@example.org\r\nSubject: =?utf-8?q?=D0=94=D1=80=D1=83=D0=B3=D0=BE=D0=B5?=\r\n\r\n<script>x</script>\r\n');

    const html = await (await get('/demo/inbox?email=anna.test%40example.org')).text();
    assert.ok(html.includes(subject), 'the subject is decoded');
    assert.ok(html.includes('Ваш код: 552211'));
    assert.ok(html.includes('Госуслуги &lt;noreply@uslugi.example&gt;'));
    assert.ok(!html.includes('Другое'), 'only this address');
    const everything = await (await get('/demo/inbox')).text();
    assert.ok(everything.includes('Другое'));
    assert.ok(everything.includes('&lt;script&gt;x&lt;/script&gt;'));
    const mail = await json(await get('/demo/mail?to=anna.test@example.org'), 200);
    assert.equal(mail.messages.length, 1);
    assert.equal(mail.messages[0].subject, subject);
    assert.match(mail.messages[0].body, /552211/);
  });
});

describe('faults', () => {
  afterEach(async () => { await json(await send('DELETE', '/admin/faults'), 200); });
  const check = () => post('/pfr/snils/check', { snils: anna.snils, ...who(anna) });

  test('GET shows every registry; PUT validates and changes only what it names', async () => {
    const faults = await json(await get('/admin/faults'), 200);
    assert.deepEqual(Object.keys(faults), ['bank', 'fns', 'fssp', 'gibdd', 'mvd', 'pfr', 'post', 'push', 'sms', 'utilities']);
    assert.deepEqual(faults.pfr, { latency_ms: 0, error_rate: 0, down: false });
    const changed = await json(await put('/admin/faults', { pfr: { latency_ms: 50 } }), 200);
    assert.deepEqual(changed.pfr, { latency_ms: 50, error_rate: 0, down: false });
    assert.deepEqual(changed.mvd, faults.mvd);
    assert.deepEqual(await json(await put('/admin/faults/mvd', { error_rate: 0.5 }), 200), { latency_ms: 0, error_rate: 0.5, down: false });
    await expectError(await put('/admin/faults', { pfr: { error_rate: 2 } }), 400, 'faults.invalid');
    await expectError(await put('/admin/faults', { pfr: { latency: 5 } }), 400, 'faults.invalid');
    await expectError(await put('/admin/faults', { nope: { down: true } }), 400, 'faults.unknown_registry');
    await expectError(await put('/admin/faults/nope', { down: true }), 404, 'faults.unknown_registry');
    await expectError(await put('/admin/faults', '[]'), 400, 'request.invalid_json');
    assert.equal((await json(await get('/admin/faults'), 200)).pfr.latency_ms, 50, 'a refused change changes nothing');
  });

  test('latency slows only that registry', async () => {
    await json(await put('/admin/faults', { pfr: { latency_ms: 400 } }), 200);
    let t = Date.now();
    assert.equal((await json(await check(), 200)).result, 'match');
    assert.ok(Date.now() - t >= 390, `took ${Date.now() - t} ms`);
    t = Date.now();
    await json(await post('/mvd/passport/check', { series: '0000', number: '000001' }), 200);
    assert.ok(Date.now() - t < 300, 'the other registries are not slowed');
  });

  test('error rate 1.0 answers 503; 0.5 fails some and answers the others', async () => {
    await json(await put('/admin/faults', { pfr: { error_rate: 1 } }), 200);
    for (let i = 0; i < 5; i++) {
      const res = await check();
      await expectError(res, 503, 'registry.unavailable');
      assert.ok(res.headers.get('retry-after'));
    }
    await json(await put('/admin/faults', { pfr: { error_rate: 0.5 } }), 200);
    const statuses = [];
    for (let i = 0; i < 60; i++) statuses.push((await check()).status);
    assert.ok(statuses.includes(200) && statuses.includes(503), statuses.join());
  });

  test('down answers 503 at once, even with latency; back up answers again', async () => {
    await json(await put('/admin/faults', { bank: { down: true, latency_ms: 5000 } }), 200);
    const t = Date.now();
    await expectError(await post('/bank/id/sessions', { phone: anna.phone, password: 'demo' }), 503, 'registry.down');
    await expectError(await get('/bank/payments/pay_x'), 503, 'registry.down');
    assert.ok(Date.now() - t < 1000, 'no waiting when down');
    // The demo pages and the admin endpoint are never affected.
    assert.equal((await get('/demo/inbox')).status, 200);
    assert.equal((await json(await check(), 200)).result, 'match', 'other registries still answer');
    await json(await put('/admin/faults/bank', { down: false, latency_ms: 0 }), 200);
    assert.equal((await json(await post('/bank/id/sessions', { phone: anna.phone, password: 'demo' }), 201)).expires_in, 300);
  });
});

describe('a faults file at start', () => {
  test('--faults FILE sets the faults; a bad file stops the start with a message', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-faults-'));
    const file = path.join(dir, 'faults.json');
    writeFileSync(file, JSON.stringify({ mvd: { down: true }, sms: { latency_ms: 10 } }));
    const other = await startRegistries(['--faults', file]);
    try {
      const faults = await json(await fetch(other.url + '/admin/faults'), 200);
      assert.equal(faults.mvd.down, true);
      assert.equal(faults.sms.latency_ms, 10);
      const res = await fetch(other.url + '/mvd/passport/check', { method: 'POST', body: '{}' });
      assert.equal(res.status, 503);
    } finally {
      assert.equal((await other.stop()).code, 0);
    }
    writeFileSync(file, JSON.stringify({ mvd: { down: 'yes' } }));
    await assert.rejects(startRegistries(['--faults', file]), /mvd\.down must be true or false/);
    rmSync(dir, { recursive: true, force: true });
  });
});
