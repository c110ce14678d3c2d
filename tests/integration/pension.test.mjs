// APP-5 against a real `uslugi serve` and the registries sandbox: the pension
// account statement comes at once (page, PDF, e-mail), waits while the Pension
// Fund is down and completes by the job when it is back, is refused for a
// SNILS the Fund does not know, and is nobody else's to see (404). Also the
// foreign passport: the photo checked by its content (JPEG, pixels, 35×45),
// previous passports as a repeatable group, and the old type's own fee.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { text, escapeHtml, uniqueEmail, registerViaApi, Client } from '../support/identity.mjs';
import { startApplicationsStack } from '../support/applications.mjs';
import { person, organisations } from '../support/registries.mjs';

const PHOTO = readFileSync(new URL('../support/fixtures/photo-35x45.jpg', import.meta.url));
const SQUARE = readFileSync(new URL('../support/fixtures/photo-square.jpg', import.meta.url));
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const SERVICE = 'pension-account-statement';
let stack;

const setFault = (fault) => fetch(`${stack.registries.url}/admin/faults/pfr`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
}).then((r) => assert.equal(r.status, 200));
const clearFaults = () => fetch(`${stack.registries.url}/admin/faults`, { method: 'DELETE' }).then((r) => assert.equal(r.status, 200));

// The profile of a demo person (or of anyone with `snils`), saved without sending it for checking.
async function withProfile(c, p, snils = p.snils) {
  const profile = { surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender, birth_date: p.birth_date,
    birth_place: p.birth_place, snils, citizenship: p.citizenship, document_type: 'passport_rf',
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date, issued_by: p.passport.issuer,
    department_code: p.passport.department_code };
  const r = await c.api('PUT', '/api/v1/account/profile', profile);
  assert.ok(r.status === 200 || r.status === 202, r.body.slice(0, 300));
  return c;
}

// A confirmed citizen registered by e-mail (the statement can be mailed to them).
async function mailCitizen() {
  const c = new Client(stack.url);
  const { account } = await registerViaApi(stack, c, { contact: uniqueEmail() });
  stack.scalar(`UPDATE identity_accounts SET level = 'confirmed' WHERE id = ${account.id}`);
  c.id = account.id;
  return c;
}

async function step(c, draft, n, fields, action = 'next') {
  await c.get(`${draft}/steps/${n}`);
  return c.postForm(`${draft}/steps/${n}`, { ...fields, action });
}

async function startDraft(c, service) {
  const res = await c.postForm(`/services/${service}/apply`);
  assert.equal(res.status, 303, res.body.slice(0, 300));
  return res.location.replace(/\/steps\/1$/, '');
}

async function sendDraft(c, draft) {
  const key = (await c.get(`${draft}/summary`)).body.match(/name="submit_key" value="([^"]+)"/)[1];
  const sent = await c.postForm(`${draft}/submit`, { submit_key: key });
  assert.equal(sent.status, 303, sent.body.slice(0, 500));
  return sent.location.replace(/\?.*$/, '');
}

// Applies for the statement; returns the application's path and id.
async function applyForStatement(c, emailCopy = 'no') {
  const draft = await startDraft(c, SERVICE);
  const r = await step(c, draft, 1, { email_copy: emailCopy });
  assert.equal(r.location, `${draft}/summary`, r.body.slice(0, 500));
  const path = await sendDraft(c, draft);
  return { path, id: Number(path.split('/').pop()) };
}

const statusOf = async (c, id) => (await c.api('GET', `/api/v1/applications/${id}`)).json;
const outbox = (c, template, channel = 'email') => Number(stack.scalar(
  `SELECT COUNT(*) FROM notifications_outbox WHERE template = '${template}' AND recipient = '${c.id}' AND channel = '${channel}'`));

before(async () => {
  stack = await startApplicationsStack({ serverArgs: ['--job-backoff-base', '1', '--job-backoff-cap', '2'] });
});
after(async () => { await stack?.stop(); });

describe('pension account statement', () => {
  test('at once: provided, the page shows the Fund\'s statement, its arithmetic holds, the PDF downloads', async () => {
    const p = person('p0001');
    const c = await withProfile(await stack.citizen(), p);
    const t0 = performance.now();
    const { path, id } = await applyForStatement(c);
    console.log(`# FIGURE pension statement: start, one step, summary and sending with the Fund's answer: ${(performance.now() - t0).toFixed(1)} ms`);
    const api = await statusOf(c, id);
    assert.equal(api.status, 'provided');
    assert.deepEqual(api.history.map((h) => h.status), ['registered', 'sent', 'received', 'accepted', 'provided']);

    const digits = p.snils.replace(/\D/g, '');
    const fund = await (await fetch(`${stack.registries.url}/pfr/accounts/${digits}/statement`)).json();
    assert.equal(fund.snils, p.snils);
    assert.ok(fund.periods.length >= 1 && fund.years.length >= 5, 'a working life of a person born in 1990');
    const names = new Set(organisations.map((o) => o.short_name));
    for (const period of fund.periods) assert.ok(names.has(period.employer), period.employer);
    // The statement's arithmetic: each year's IPK is within its cap, and the total is their sum.
    let sum = fund.ipk_before_2015;
    for (const y of fund.years) {
      assert.ok(y.ipk <= (y.year >= 2021 ? 10 : 9.57) + 1e-9, `${y.year}: ${y.ipk}`);
      assert.ok(y.contributions <= y.wage * 0.16 + 1, `${y.year}: contributions are at most 16 % of the wage`);
      sum += y.ipk;
    }
    assert.ok(Math.abs(sum - fund.ipk_total) < 0.0005 * (fund.years.length + 1), `${sum} vs ${fund.ipk_total}`);

    const detail = await c.get(path);
    assert.match(detail.body, new RegExp(`href="${path}/pension-statement"`), 'the application links its statement');
    const page = await c.get(`${path}/pension-statement`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(escapeHtml(text('pension.statement.title'))));
    assert.match(page.body, /Смирнова Анна Сергеевна/);
    assert.ok(page.body.includes(p.snils));
    for (const period of fund.periods) assert.ok(page.body.includes(period.inn), period.inn);
    assert.ok(page.body.includes(escapeHtml(text('pension.statement.ipk_total'))));
    assert.match(page.body, /name="_csrf"/);
    const pdf = await c.get(`${path}/pension-statement.pdf`);
    assert.equal(pdf.status, 200);
    console.log(`# FIGURE pension statement: page ${page.raw.length} bytes, PDF ${pdf.raw.length} bytes`);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(pdf.raw.subarray(0, 5).toString(), '%PDF-');
    assert.match(pdf.headers.get('content-disposition'), /^attachment; filename="pension-statement-\d{4}-\d{8}\.pdf"$/);
    // The phone-registered account has no e-mail: a clear message, nothing queued.
    const mail = await c.postForm(`${path}/pension-statement/email`);
    assert.equal(mail.status, 303);
    assert.match(mail.location, /\?no_email=1$/);
    assert.ok((await c.get(mail.location)).body.includes(escapeHtml(text('pension.no_email'))));
    assert.equal(outbox(c, 'pension.statement'), 0);

    // Nobody else sees it: another citizen, an anonymous visitor, made-up ids.
    const other = await stack.citizen();
    for (const target of [path, `${path}/pension-statement`, `${path}/pension-statement.pdf`])
      assert.equal((await other.get(target)).status, 404, target);
    assert.equal((await other.postForm(`${path}/pension-statement/email`)).status, 404);
    const anonymous = stack.client();
    const anon = await anonymous.get(`${path}/pension-statement`);
    assert.notEqual(anon.status, 200);
    assert.ok(!anon.body.includes('Смирнова'));
    for (const bad of [id + 100000, 0, 'abc', '-1']) assert.equal((await c.get(`/account/applications/${bad}/pension-statement`)).status, 404);
  });

  test('by e-mail on request: asked when applying, and again from the page (one message per window)', async () => {
    const c = await withProfile(await mailCitizen(), person('p0004'));
    const { path, id } = await applyForStatement(c, 'yes');
    assert.equal((await statusOf(c, id)).status, 'provided');
    assert.equal(outbox(c, 'pension.statement'), 1, 'asked for when applying');
    const params = stack.scalar(`SELECT COUNT(*) FROM notifications_outbox WHERE template = 'applications.status' AND recipient = '${c.id}'`);
    assert.equal(Number(params), 2, 'e-mails of sent and provided only (received and accepted are not told)');
    const r = await c.postForm(`${path}/pension-statement/email`);
    assert.match(r.location, /\?emailed=1$/);
    await c.postForm(`${path}/pension-statement/email`);  // a second click
    assert.equal(outbox(c, 'pension.statement'), 2, 'the page\'s request once, however often clicked');
    // The messages render and go out through SMTP (the template exists in the recipient's language).
    const sent = () => Number(stack.scalar(`SELECT COUNT(*) FROM notifications_outbox WHERE template = 'pension.statement' AND recipient = '${c.id}' AND status IN ('sent', 'delivered')`));
    const deadline = Date.now() + 20000;
    while (sent() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(sent(), 2);
  });

  test('the Fund is down: the application waits with a clear message, then the job completes it', async () => {
    const c = await withProfile(await stack.citizen(), person('p0002'));
    await setFault({ down: true });
    let app;
    try {
      app = await applyForStatement(c);
      const waiting = await statusOf(c, app.id);
      assert.equal(waiting.status, 'sent');
      assert.equal(waiting.history.at(-1).comment, text('pension.waiting'));
      const page = await c.get(`${app.path}/pension-statement`);
      assert.equal(page.status, 200);
      assert.ok(page.body.includes(escapeHtml(text('pension.waiting'))));
      assert.equal((await c.get(`${app.path}/pension-statement.pdf`)).status, 404, 'no statement yet');
      const jobs = Number(stack.scalar(`SELECT COUNT(*) FROM jobs WHERE kind = 'applications.pension_statement' AND job_key = 'pension:${app.id}'`));
      assert.equal(jobs, 1, 'the request is queued durably');
    } finally {
      await clearFaults();
    }
    // The job asks again with back-off (1–2 s here) until the Fund answers.
    const upAt = Date.now(), deadline = upAt + 30000;
    let status = 'sent';
    while (status === 'sent' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await statusOf(c, app.id)).status;
    }
    assert.equal(status, 'provided');
    console.log(`# FIGURE pension statement: completed by the job ${Date.now() - upAt} ms after the Fund came back`);
    const page = await c.get(`${app.path}/pension-statement`);
    assert.match(page.body, /Кузнецов Пётр/);
  });

  test('a SNILS the Fund does not know: refused with the reason', async () => {
    const c = await withProfile(await stack.citizen(), person('p0003'), '112-233-445 95');
    const { path, id } = await applyForStatement(c);
    const api = await statusOf(c, id);
    assert.equal(api.status, 'refused');
    assert.equal(api.refusal_reason, 'pension_no_account');
    assert.ok((await c.get(path)).body.includes(escapeHtml(text('applications.refusal.pension_no_account'))));
  });
});

describe('foreign passport', () => {
  const applicant = { surname: 'Соколова', name: 'Дарья', patronymic: '', gender: 'female', birth_date: '1985-03-15',
    birth_place: 'г. Пермь', snils: '112-233-445 95' };
  const passport = { passport: '4508 123456', issue_date: '2010-05-20', issued_by: 'ОВД района Хамовники г. Москвы', department_code: '770-001' };
  const address = { registration_address: 'Пермский край, г. Пермь, ул. Ленина, д. 1, кв. 2', same_address: 'yes', phone: '+7 912 345-67-89' };

  async function photoStep(c, draft, name, bytes) {
    await c.get(`${draft}/steps/2`);
    const form = new FormData();
    form.append('_csrf', c.csrf);
    for (const [k, v] of Object.entries({ ...passport, action: 'next' })) form.append(k, v);
    form.append('photo', new Blob([bytes]), name);
    return c.request('POST', `${draft}/steps/2`, { body: form });
  }

  test('the photo is checked by its content: type, pixels, proportions; a clear message and nothing kept', async () => {
    const c = await stack.citizen();
    const draft = await startDraft(c, 'foreign-passport-chip');
    assert.equal((await step(c, draft, 1, applicant)).status, 303);
    const files = () => Number(stack.scalar(`SELECT COUNT(*) FROM applications_files WHERE account_id = ${c.id}`));
    for (const [name, bytes, key] of [['photo.jpg', PNG, 'photo.error.not_jpeg'], ['photo.jpg', SQUARE, 'photo.error.proportions'],
      // Cut in the middle but ending with the end marker: only decoding the image shows it.
      ['photo.jpg', Buffer.concat([PHOTO.subarray(0, PHOTO.length >> 1), Buffer.from([0xFF, 0xD9])]), 'photo.error.broken']]) {
      const r = await photoStep(c, draft, name, bytes);
      assert.equal(r.status, 422, key);
      assert.ok(r.body.includes(escapeHtml(text(key))), key);
      assert.equal(files(), 0, `${key}: nothing kept`);
    }
    const ok = await photoStep(c, draft, 'фото.jpg', PHOTO);
    assert.equal(ok.status, 303, ok.body.slice(0, 500));
    assert.equal(files(), 1);
  });

  test('the old type: previous passports as a group, its own fee as a charge', async () => {
    const c = await stack.citizen();
    const draft = await startDraft(c, 'foreign-passport-old');
    assert.equal((await step(c, draft, 1, applicant)).status, 303);
    assert.equal((await photoStep(c, draft, 'фото.jpg', PHOTO)).status, 303);
    assert.equal((await step(c, draft, 3, address)).status, 303);
    const none = await step(c, draft, 4, { had_passport: 'yes', 'previous_passports.count': '0' });
    assert.equal(none.status, 422, 'had one: at least one is described');
    assert.ok(none.body.includes(escapeHtml(text('applications.error.group_min'))));
    const bad = await step(c, draft, 4, { had_passport: 'yes', 'previous_passports.count': '1', 'previous_passports.0.number': '12345',
      'previous_passports.0.issue_date': '2015-06-01', 'previous_passports.0.fate': 'expired' });
    assert.equal(bad.status, 422);
    const two = { had_passport: 'yes', 'previous_passports.count': '2',
      'previous_passports.0.number': '75 1234567', 'previous_passports.0.issue_date': '2015-06-01', 'previous_passports.0.fate': 'handed_in',
      'previous_passports.1.number': '71 7654321', 'previous_passports.1.issue_date': '2009-02-10', 'previous_passports.1.fate': 'expired' };
    assert.equal((await step(c, draft, 4, two)).status, 303);
    assert.equal((await step(c, draft, 5, { 'jobs.count': '1', 'jobs.0.from': '2015-01-01', 'jobs.0.organisation': 'ООО «Ромашка»',
      'jobs.0.position': 'инженер', secrecy: 'no' })).status, 303);
    const path = await sendDraft(c, draft);
    const id = Number(path.split('/').pop());
    const api = await statusOf(c, id);
    assert.equal(api.status, 'sent');
    assert.equal(api.values.previous_passports.length, 2);
    assert.equal(api.values.previous_passports[1].number, '71 7654321');
    const fee = stack.scalar(`SELECT amount FROM payments_charges WHERE reference = 'application:${id}'`);
    assert.equal(Number(fee), 200000, 'the old type costs 2 000 ₽');
  });
});
