// The cabinet (CAB-3, CAB-5; issue #14) against a real `uslugi serve` with the
// demo catalog and the registries sandbox, on SQLite or PostgreSQL as the run
// chooses: documents and addresses through the API and the pages, validity
// warnings with the replacement service, personal data sealed at rest, access
// (another account never sees or changes yours, whatever ids it tries), bad
// input on every field (a message, never a 500), and traffic fines found for
// the cabinet's licences and vehicles by the payments job with a notification.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries, person } from '../support/registries.mjs';
import { Client, registerViaApi, uniquePhone, scalar, smsMessages, htmlText } from '../support/identity.mjs';

let registries, database, server;

before(async () => {
  registries = await startRegistries();
  database = freshDatabase();
  server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
    '--job-backoff-base', '1', '--job-backoff-cap', '2', '--data-key', randomBytes(32).toString('hex')],
  { database, seed: true });
});

after(async () => {
  await server?.stop();
  await registries?.stop();
  database?.drop();
});

async function nextSms(phone) {
  const res = await waitFor(() => smsMessages(registries, phone), (m) => m.length > 0, { what: 'an SMS code' });
  return res[0].text.match(/\d{6}/)[0];
}

async function signedIn() {
  const client = new Client(server.url);
  const phone = uniquePhone();
  await registerViaApi({ nextSmsCode: nextSms }, client, { contact: phone });
  client.phone = phone;
  return client;
}

const iso = (d) => d.toISOString().slice(0, 10);
const daysFromNow = (n) => iso(new Date(Date.now() + n * 86400000));

const licence = { number: '59 09 891402', issued: '2018-02-22', valid_until: '2028-02-22', categories: ['B'] };

async function add(client, kind, fields) {
  return client.api('POST', `/api/v1/account/documents/new/${kind}`, fields);
}

test('documents: added, listed with their validity, edited and removed; sealed at rest', async () => {
  const me = await signedIn();
  const created = await add(me, 'driver_licence', { ...licence, number: '5909891402', categories: ['c', 'B'] });
  assert.equal(created.status, 201, created.body);
  assert.equal(created.json.number, '59 09 891402');
  assert.deepEqual(created.json.categories, ['B', 'C']);
  assert.equal(created.json.expiry, 'valid');
  assert.equal(created.json.replacement_service, null);

  const expiring = await add(me, 'foreign_passport', { number: '751234567', issued: '2016-06-01', valid_until: daysFromNow(30) });
  assert.equal(expiring.status, 201, expiring.body);
  assert.equal(expiring.json.expiry, 'expiring');
  assert.equal(expiring.json.days_left, 30);
  assert.equal(expiring.json.replacement_service, 'foreign-passport-chip');
  const expired = await add(me, 'oms', { number: '7700 0000 0000 0001', valid_until: daysFromNow(-1) });
  assert.equal(expired.json.expiry, 'expired');
  assert.equal(expired.json.replacement_service, 'oms-policy');
  const car = await add(me, 'vehicle', { number: '59 ТК 974350', plate: 'у990ус59', make_model: 'Лада Веста', year: 2019 });
  assert.equal(car.status, 201, car.body);
  assert.equal(car.json.plate, 'У990УС59');

  const list = await me.api('GET', '/api/v1/account/documents');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.documents.map((d) => d.kind), ['driver_licence', 'vehicle', 'oms', 'foreign_passport']);
  assert.equal(list.json.expiry_warning_days, 60);

  // The page says so and links the replacement services of the catalog.
  const page = await me.get('/account/documents');
  assert.equal(page.status, 200);
  assert.match(page.body, /data-expiry="expiring"/);
  assert.match(page.body, /data-expiry="expired"/);
  assert.match(page.body, /href="\/services\/foreign-passport-chip"/);
  assert.match(page.body, /href="\/services\/oms-policy"/);
  assert.doesNotMatch(page.body, /href="\/services\/driver-licence-replacement"/, 'a valid licence needs no replacement');
  assert.match(page.body, /id="vehicles"/);
  assert.match(page.body, /У990УС59/);
  const vehicles = await me.get('/account/vehicles');
  assert.equal(vehicles.status, 303);
  assert.equal(vehicles.location, '/account/documents#vehicles');

  // Nothing personal readable in the database.
  for (const secret of ['891402', '1234567', '974350', 'Веста']) {
    assert.equal(Number(scalar(database, `SELECT COUNT(*) FROM cabinet_documents WHERE data_enc LIKE '%${secret}%'`)), 0, secret);
  }
  const sealedCount = Number(scalar(database, "SELECT COUNT(*) FROM cabinet_documents WHERE data_enc LIKE 'v2.%'"));
  assert.ok(sealedCount >= 4);

  // Edit: a licence renewed early, through the form page.
  const form = await me.get(`/account/documents/${created.json.id}`);
  assert.equal(form.status, 200);
  assert.match(form.body, /value="59 09 891402"/);
  assert.match(form.body, /name="categories" value="C" checked/);
  const saved = await me.postForm(`/account/documents/${created.json.id}`,
    { number: '59 09 891402', issued: '2024-02-22', valid_until: '2034-02-22', categories: 'B' });
  assert.equal(saved.status, 303, saved.body);
  assert.equal(saved.location, '/account/documents?done=saved');
  const after = await me.api('GET', `/api/v1/account/documents/${created.json.id}`);
  assert.equal(after.json.valid_until, '2034-02-22');
  assert.deepEqual(after.json.categories, ['B']);

  // A second copy of the same document is refused with a message on the number.
  const again = await add(me, 'driver_licence', licence);
  assert.equal(again.status, 422);
  assert.equal(again.json.error.fields.number.code, 'number.duplicate');

  const removed = await me.postForm(`/account/documents/${expired.json.id}/delete`, {});
  assert.equal(removed.status, 303);
  assert.equal((await me.api('GET', `/api/v1/account/documents/${expired.json.id}`)).status, 404);
});

test('another account never sees, edits or removes your documents and addresses, whatever ids it tries', async () => {
  const owner = await signedIn();
  const doc = await add(owner, 'driver_licence', licence);
  assert.equal(doc.status, 201);
  const addr = await owner.api('POST', '/api/v1/account/addresses/registration',
    { region: '59', settlement: 'Пермь', street: 'ул. Ленина', house: '1', postcode: '614000' });
  assert.equal(addr.status, 200, addr.body);

  const other = await signedIn();
  const id = doc.json.id;
  for (const target of [id, id + 1, id - 1, 0, -1, 'abc', '1e3', '99999999999999999999']) {
    assert.equal((await other.api('GET', `/api/v1/account/documents/${target}`)).status, 404, `GET ${target}`);
    assert.equal((await other.get(`/account/documents/${target}`)).status, 404, `page ${target}`);
    const edit = await other.api('POST', `/api/v1/account/documents/${target}`, { ...licence, number: '11 11 111111' });
    assert.equal(edit.status, 404, `edit ${target}`);
    assert.equal((await other.postForm(`/account/documents/${target}/delete`, {})).status, 404, `delete ${target}`);
    assert.equal((await other.api('POST', `/api/v1/account/documents/${target}/delete`, {})).status, 404);
  }
  assert.deepEqual((await other.api('GET', '/api/v1/account/documents')).json.documents, []);
  assert.deepEqual((await other.api('GET', '/api/v1/account/addresses')).json.addresses, []);
  assert.equal((await other.api('POST', '/api/v1/account/addresses/registration/delete', {})).status, 404);
  const mine = await owner.api('GET', `/api/v1/account/documents/${id}`);
  assert.equal(mine.json.number, '59 09 891402', 'unchanged');
  assert.equal((await owner.api('GET', '/api/v1/account/addresses')).json.addresses.length, 1);

  // Nobody signed in: the sign-in page, never the data.
  const anonymous = new Client(server.url);
  assert.equal((await anonymous.api('GET', '/api/v1/account/documents')).status, 401);
  const page = await anonymous.get('/account/documents');
  assert.equal(page.status, 303);
  assert.match(page.location, /signin/);
  // A form without the CSRF token changes nothing.
  const forged = await owner.postForm(`/account/documents/${id}/delete`, {}, { csrf: null });
  assert.equal(forged.status, 403);
  assert.equal((await owner.api('GET', `/api/v1/account/documents/${id}`)).status, 200);
});

test('bad input on every field: a message per field in the reader\'s language, never a 500', async () => {
  const me = await signedIn();
  const cases = [
    ['driver_licence', { number: '59 09 89140', issued: '01.13.2020', valid_until: '', categories: ['Z'] },
      { number: 'driver_licence.format', issued: 'date_format', valid_until: 'valid_until.required', categories: 'categories.unknown' }],
    ['driver_licence', { number: '', issued: daysFromNow(2), valid_until: '2010-01-01', categories: [] },
      { number: 'driver_licence.empty', issued: 'issued.future', categories: 'categories.required' }],
    ['driver_licence', { ...licence, valid_until: '2018-02-21' }, { valid_until: 'valid_until.before_issue' }],
    ['vehicle', { number: '59 ТК 97435', plate: 'Б990УС59', make_model: '', year: '1800' },
      { number: 'vehicle_certificate.format', plate: 'plate.letters', make_model: 'make_model.required', year: 'year.range' }],
    ['vehicle', { number: '59ТК974350', plate: '990УС59', make_model: 'x'.repeat(101), year: 'two thousand' },
      { plate: 'plate.format', make_model: 'make_model.too_long', year: 'year.range' }],
    ['oms', { number: '12345', valid_until: '2030-02-30' }, { number: 'oms.format', valid_until: 'date_format' }],
    ['foreign_passport', { number: '75 12345678', issued: 'вчера', valid_until: 'x'.repeat(5000) },
      { number: 'foreign_passport.format', issued: 'date_format', valid_until: 'date_format' }],
  ];
  for (const [kind, fields, expected] of cases) {
    const res = await add(me, kind, fields);
    assert.equal(res.status, 422, `${kind} ${JSON.stringify(fields)}: ${res.body}`);
    assert.equal(res.json.error.code, 'cabinet.invalid');
    for (const [field, code] of Object.entries(expected)) {
      assert.equal(res.json.error.fields[field]?.code, code, `${kind}.${field}: ${res.body}`);
      assert.ok(res.json.error.fields[field].message.length > 10);
    }
  }
  const addressCases = [
    [{}, { region: 'region.required', settlement: 'settlement.required', house: 'house.required', postcode: 'postcode.empty' }],
    [{ region: '99', settlement: 'я'.repeat(101), street: 'a\u0000b', house: '1'.repeat(21), building: 'b'.repeat(21),
      flat: 'f'.repeat(21), postcode: '61400' },
    { region: 'region.unknown', settlement: 'settlement.too_long', street: 'characters', house: 'house.too_long',
      building: 'building.too_long', flat: 'flat.too_long', postcode: 'postcode.format' }],
  ];
  for (const [fields, expected] of addressCases) {
    const res = await me.api('POST', '/api/v1/account/addresses/postal', fields);
    assert.equal(res.status, 422, res.body);
    for (const [field, code] of Object.entries(expected)) assert.equal(res.json.error.fields[field]?.code, code, `${field}: ${res.body}`);
  }
  // Wrong shapes are a 400 with a stable code; unknown kinds a 404.
  for (const body of ['[]', '{"number": {"a": 1}}', 'not json', '{"categories": [1, 2]}']) {
    const res = await me.api('POST', '/api/v1/account/documents/new/driver_licence', undefined, { rawBody: body });
    assert.equal(res.status, 400, body);
    assert.ok(res.json.error.code, body);
  }
  assert.equal((await add(me, 'passport', licence)).status, 404);
  assert.equal((await me.api('POST', '/api/v1/account/addresses/home', {})).status, 404);

  // The pages: the form again with every message, in the reader's language.
  assert.ok([302, 303].includes((await me.get('/prefs/lang/en?next=/account/documents')).status));
  await me.get('/account/documents/new/vehicle');
  const page = await me.postForm('/account/documents/new/vehicle', { number: '1', plate: 'x', make_model: '', year: '' });
  assert.equal(page.status, 422);
  assert.match(page.body, /id="error-summary"/);
  assert.match(page.body, /aria-invalid="true"/);
  assert.ok(page.body.includes(htmlText('cabinet.error.year.required', 'en')), page.body.slice(0, 500));
  assert.ok(page.body.includes(htmlText('validation.plate.format', 'en')));
  assert.ok([302, 303].includes((await me.get('/prefs/lang/ru?next=/account/addresses')).status));
  await me.get('/account/addresses');
  const addrPage = await me.postForm('/account/addresses/actual', { region: '', settlement: 'Пермь', house: '', postcode: 'abc' });
  assert.equal(addrPage.status, 422);
  assert.ok(addrPage.body.includes(htmlText('cabinet.error.region.required')));
  assert.ok(addrPage.body.includes(htmlText('cabinet.error.house.required')));
  assert.match(addrPage.body, /value="Пермь"/, 'what was typed stays in the form');
  assert.deepEqual((await me.api('GET', '/api/v1/account/addresses')).json.addresses, [], 'nothing saved by failed forms');
});

test('addresses: three kinds, structured, formatted, replaced and removed', async () => {
  const me = await signedIn();
  const typed = { region: '59', settlement: 'Пермь', street: 'ул. Ленина', house: '1', building: '2', flat: '3', postcode: '614 000' };
  const saved = await me.postForm('/account/addresses/registration', typed);
  assert.equal(saved.status, 303, saved.body);
  const page = await me.get('/account/addresses?done=saved');
  assert.match(page.body, /value="614000"/);
  assert.match(page.body, /<option value="59" selected>/);
  const api = await me.api('POST', '/api/v1/account/addresses/postal', { ...typed, flat: '', building: '' });
  assert.equal(api.status, 200, api.body);
  assert.equal(api.json.formatted, '614000, Пермский край, Пермь, ул. Ленина, д. 1');
  const list = await me.api('GET', '/api/v1/account/addresses');
  assert.deepEqual(list.json.addresses.map((a) => a.kind), ['registration', 'postal']);
  assert.equal(list.json.addresses[0].formatted, '614000, Пермский край, Пермь, ул. Ленина, д. 1, корп. 2, кв. 3');
  const removed = await me.api('POST', '/api/v1/account/addresses/postal/delete', {});
  assert.equal(removed.status, 200);
  assert.deepEqual((await me.api('GET', '/api/v1/account/addresses')).json.addresses.map((a) => a.kind), ['registration']);
  assert.equal(Number(scalar(database, "SELECT COUNT(*) FROM cabinet_addresses WHERE data_enc LIKE '%Ленина%'")), 0);
  assert.ok(Number(scalar(database, 'SELECT COUNT(*) FROM cabinet_addresses')) >= 1);
  // "My details" links the cabinet's pages.
  const details = await me.get('/account/details');
  assert.match(details.body, /href="\/account\/documents"/);
  assert.match(details.body, /href="\/account\/addresses"/);
});

test('fines for the cabinet\'s licence and vehicle are found without typing them, stored once and notified (#14)', async () => {
  const p = person('p0002');
  const me = await signedIn();
  assert.equal((await add(me, 'driver_licence', {
    number: p.driver_licence.number, issued: p.driver_licence.issue_date, valid_until: p.driver_licence.valid_until, categories: 'B',
  })).status, 201);
  const v = p.vehicles[0];
  assert.equal((await add(me, 'vehicle', { number: v.certificate, plate: v.plate, make_model: 'Лада Гранта', year: 2015 })).status, 201);
  const unpaid = p.fines.filter((f) => !f.paid).map((f) => f.uin).sort();
  assert.equal(unpaid.length, 4);
  // Opening the payments hub asks for the look-up in the background.
  const found = await waitFor(() => me.api('GET', '/api/v1/payments'),
    (r) => r.status === 200 && unpaid.every((u) => r.json.charges.some((c) => c.uin === u)), { what: 'the fines of the cabinet', timeoutMs: 30000 });
  const fines = found.json.charges.filter((c) => c.uin.startsWith('188'));
  assert.deepEqual(fines.map((c) => c.uin).sort(), unpaid, 'exactly the unpaid fines, the paid one left out');
  const hub = await me.get('/payments');
  for (const uin of unpaid) assert.ok(hub.body.includes(uin), uin);
  // One SMS per new fine (beside the registration code).
  const messages = await waitFor(() => smsMessages(registries, me.phone), (m) => m.length >= 1 + unpaid.length,
    { what: 'the notifications of new fines', timeoutMs: 30000 });
  const told = messages.filter((m) => m.text.includes('новое начисление'));
  assert.equal(told.length, unpaid.length, JSON.stringify(messages));
  // Another account sees none of them.
  const other = await signedIn();
  const theirs = await other.api('GET', '/api/v1/payments');
  assert.ok(!theirs.json.charges.some((c) => unpaid.includes(c.uin)));
});

test('the daily look-up finds the fines of every account with a licence or a vehicle, with no page opened (#14)', async () => {
  const p = person('p0015');
  const me = await signedIn();
  assert.equal((await add(me, 'driver_licence', {
    number: p.driver_licence.number, issued: p.driver_licence.issue_date, valid_until: p.driver_licence.valid_until, categories: 'B',
  })).status, 201);
  for (const [i, v] of (p.vehicles ?? []).entries())
    assert.equal((await add(me, 'vehicle', { number: v.certificate, plate: v.plate, make_model: `Машина ${i}`, year: 2015 })).status, 201);
  const unpaid = p.fines.filter((f) => !f.paid).map((f) => f.uin).sort();
  assert.ok(unpaid.length > 0);
  // Nothing asked for the look-up yet: adding documents does not, only the payments pages or the sweep.
  const before = await smsMessages(registries, me.phone);
  assert.equal(before.filter((m) => m.text.includes('новое начисление')).length, 0);
  const sweep = await fetch(`${server.url}/test/payments/sweep`, { method: 'POST' });
  assert.equal(sweep.status, 202);
  const messages = await waitFor(() => smsMessages(registries, me.phone),
    (m) => m.filter((x) => x.text.includes('новое начисление')).length >= unpaid.length,
    { what: 'the notifications of the fines the sweep found', timeoutMs: 30000 });
  assert.equal(messages.filter((m) => m.text.includes('новое начисление')).length, unpaid.length, JSON.stringify(messages));
  const mine = await me.api('GET', '/api/v1/payments');
  for (const uin of unpaid) assert.ok(mine.json.charges.some((c) => c.uin === uin), uin);
});
