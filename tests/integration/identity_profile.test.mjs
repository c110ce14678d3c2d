// ID-2 against real processes: `uslugi serve` (with its job runner) and the
// registries sandbox (Pension Fund, Interior Ministry, tax service, SMS
// gateway). A user registers by phone, fills the profile of a demo person and
// sends it for checking; the checks run in the background and are waited for
// by polling, never by sleeps. Also: a passport reported lost, a registry that
// is down (and a restart while it is), bad input on every field, and access
// control between two users.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries, person } from '../support/registries.mjs';
import { sessionCookie, csrfCookie } from '../support/http.mjs';

const DATA_KEY = 'ab'.repeat(32);
const PASSPHRASE = 'violet harbour lantern quietly 1984 drums';

// A browser-like client: keeps the session cookie and the CSRF token.
class Client {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; }

  async req(path, { method = 'GET', form, json, raw, headers = {} } = {}) {
    const h = { ...headers };
    if (this.cookie || this.csrfCookie) h.cookie = [this.csrfCookie, this.cookie].filter(Boolean).join('; ');
    let body;
    if (form) {
      body = new URLSearchParams({ _csrf: this.csrf, ...form }).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    } else if (json !== undefined || raw !== undefined) {
      body = raw !== undefined ? raw : JSON.stringify(json);
      h['content-type'] = 'application/json';
      if (!('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    }
    const res = await fetch(this.base + path, { method, headers: h, body, redirect: 'manual' });
    const c = sessionCookie(res);
    if (c) this.cookie = c.value ? `sid=${c.value}` : '';
    const k = csrfCookie(res);  // the CSRF cookie of a visitor without a session
    if (k) this.csrfCookie = `csrf=${k.value}`;
    return res;
  }

  async refresh() {
    const j = await (await this.req('/api/v1/session')).json();
    this.csrf = j.csrf_token;
    return j;
  }

  async json(path, opts) {
    const res = await this.req(path, opts);
    return { status: res.status, body: await res.json() };
  }

  async html(path) {
    const res = await this.req(path);
    return { status: res.status, text: await res.text() };
  }
}

async function smsCodes(reg, phone) {
  const r = await fetch(`${reg.url}/sms/messages?phone=${encodeURIComponent(phone)}`);
  const j = await r.json();
  return j.messages.map((m) => m.text);
}

// Registration by phone (ID-1) through the pages: form, SMS code, passphrase.
async function register(server, reg, p) {
  const c = new Client(server.url);
  await c.refresh();
  let res = await c.req('/signup', { method: 'POST', form: { surname: p.surname, name: p.name, contact: p.phone } });
  assert.equal(res.status, 303, 'the sign-up form is accepted');
  const texts = await waitFor(() => smsCodes(reg, p.phone), (t) => t.some((x) => /\d{6}/.test(x)),
    { what: `the registration SMS to ${p.phone}` });
  const code = texts.find((x) => /\d{6}/.test(x)).match(/(\d{6})/)[1];
  res = await c.req('/signup/code', { method: 'POST', form: { code } });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/signup/password');
  res = await c.req('/signup/password', { method: 'POST', form: { password: PASSPHRASE, password_repeat: PASSPHRASE } });
  assert.equal(res.status, 303);
  await c.refresh();
  const me = await c.json('/api/v1/account');
  assert.equal(me.status, 200);
  assert.equal(me.body.level, 'simplified');
  return c;
}

// The ID-2 fields of a demo person, as a user types them.
export function profileOf(p) {
  return {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender,
    birth_date: p.birth_date, birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship,
    document_type: 'passport_rf', passport: `${p.passport.series} ${p.passport.number}`,
    issue_date: p.passport.issue_date, issued_by: p.passport.issuer, department_code: p.passport.department_code,
  };
}

const verification = (c) => c.json('/api/v1/account/verification').then((r) => r.body);

const setFault = (reg, registry, fault) => fetch(`${reg.url}/admin/faults/${registry}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
}).then((r) => { assert.equal(r.status, 200); });

// A date as a Russian page writes it: «21 ноября 2026».
const ruMonths = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];
const ruDate = (iso) => { const [y, m, d] = iso.split('-').map(Number); return `${d} ${ruMonths[m - 1]} ${y}`; };

describe('identity profile and checks (ID-2)', () => {
  let reg, server, database;

  before(async () => {
    reg = await startRegistries();
    database = freshDatabase();
    server = await startServer(['--registries-url', reg.url, '--job-poll-ms', '100', '--job-backoff-base', '1',
      '--job-backoff-cap', '2', '--data-key', DATA_KEY], { database });
  });

  after(async () => {
    if (server) await server.stop();
    if (reg) await reg.stop();
    if (database) database.drop();
  });

  test('p0001: register, fill in, send; both checks pass, the account is standard and the INN arrives', async () => {
    const p = person('p0001');
    const c = await register(server, reg, p);
    const before = await verification(c);
    assert.equal(before.state, 'not_sent');
    assert.equal(before.running, false);

    const put = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...profileOf(p), submit: true } });
    assert.equal(put.status, 202, JSON.stringify(put.body));
    assert.equal(put.body.sent, true);
    assert.equal(put.body.profile.snils, p.snils);
    // The checks may already have ended when the answer is written: they run at once.
    assert.ok(['checking', 'passed', 'failed'].includes(put.body.verification.state), put.body.verification.state);
    assert.equal(typeof put.body.verification.id, 'number');

    const done = await waitFor(() => verification(c), (v) => v.state === 'passed' && !v.running,
      { what: 'both checks and the INN', timeoutMs: 30000 });
    assert.equal(done.steps.pfr.state, 'passed');
    assert.equal(done.steps.mvd.state, 'passed');
    assert.equal(done.steps.fns.state, 'passed');
    assert.equal(done.level, 'standard');

    const me = await c.json('/api/v1/account');
    assert.equal(me.body.level, 'standard');
    const profile = await c.json('/api/v1/account/profile');
    assert.equal(profile.body.inn, p.inn);
    assert.equal(profile.body.profile.passport, `${p.passport.series} ${p.passport.number}`);

    const page = await c.html('/account/details');
    assert.equal(page.status, 200);
    assert.match(page.text, /Проверка пройдена/);
    assert.ok(page.text.includes(p.inn), 'the INN is on "My details"');
    // Dates as the page's language writes them: «15 марта 1985».
    assert.ok(page.text.includes(ruDate(p.birth_date)), 'the birth date in words');
    assert.ok(!page.text.includes('data-verification-poll'), 'nothing left to poll');

    // The user is told by SMS (the account has a phone).
    await waitFor(() => smsCodes(reg, p.phone), (t) => t.some((x) => x.includes('стандартная')),
      { what: 'the SMS about the passed check' });

    // Unchanged data sent again start no second check.
    const again = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...profileOf(p), submit: true } });
    assert.equal(again.status, 200);
    assert.equal(again.body.sent, false);
    assert.equal(again.body.verification.id, done.id);

    // A change of checked data: back to simplified, checked again, standard again.
    const moved = await c.json('/api/v1/account/profile', {
      method: 'PUT', json: { ...profileOf(p), birth_place: p.birth_place, issued_by: p.passport.issuer + ' ', submit: false },
    });
    assert.equal(moved.status, 200, 'a trailing space is not a change');
    assert.equal(moved.body.sent, false);
    const changed = await c.json('/api/v1/account/profile', {
      method: 'PUT', json: { ...profileOf(p), patronymic: 'Сергеевнa', submit: false },
    });
    assert.equal(changed.body.sent, true, 'checked data of a profile sent before go for checking again');
    assert.equal((await c.json('/api/v1/account')).body.level, 'simplified');
    const second = await waitFor(() => verification(c), (v) => !v.running, { what: 'the second check', timeoutMs: 30000 });
    assert.notEqual(second.id, done.id);
    // A Latin "a" in the patronymic: neither the Pension Fund nor the Interior
    // Ministry knows this person; whichever answers first decides.
    assert.equal(second.state, 'failed');
    assert.ok(['snils_mismatch', 'passport_not_owner'].includes(second.reason), second.reason);
    assert.equal((await c.json('/api/v1/account')).body.level, 'simplified');
    const fixed = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...profileOf(p), submit: true } });
    assert.equal(fixed.body.sent, true);
    await waitFor(() => verification(c), (v) => v.state === 'passed' && !v.running, { what: 'the third check', timeoutMs: 30000 });
    assert.equal((await c.json('/api/v1/account')).body.level, 'standard');
  });

  test('p0003: a passport reported lost ends with a clear refusal on "My details"', async () => {
    const p = person('p0003');
    const c = await register(server, reg, p);
    // Through the page, as a person without JavaScript would.
    const form = await c.html('/account/details/edit');
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(`value="${p.surname}"`), 'the names of the account are filled in');
    const res = await c.req('/account/details/edit', { method: 'POST', form: { ...profileOf(p), action: 'submit' } });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/account/details?done=sent');
    assert.equal((await c.html('/account/details?done=sent')).status, 200);

    const v = await waitFor(() => verification(c), (x) => !x.running, { what: 'the refusal', timeoutMs: 30000 });
    assert.equal(v.state, 'failed');
    assert.equal(v.reason, 'passport_lost');
    assert.equal(v.steps.mvd.state, 'failed');
    const lost = new Date(Date.now() - 12 * 86400000).toISOString().slice(0, 10);
    assert.equal(v.steps.mvd.detail, lost);
    assert.ok(v.message.includes(ruDate(lost)), v.message);
    assert.ok(v.fix.length > 20);

    const page = await c.html('/account/details');
    assert.match(page.text, /Проверка не пройдена/);
    assert.ok(page.text.includes(`утраченным с ${ruDate(lost)}`), 'the reason with the date');
    assert.match(page.text, /Получите новый паспорт/);
    assert.equal((await c.json('/api/v1/account')).body.level, 'simplified');
    await waitFor(() => smsCodes(reg, p.phone), (t) => t.some((x) => x.includes('не прошли проверку')),
      { what: 'the SMS about the failed check' });
  });

  test('a registry that is down: the check waits, survives a restart, and finishes after recovery', async () => {
    const p = person('p0002');
    const c = await register(server, reg, p);
    await setFault(reg, 'pfr', { down: true });
    try {
      const put = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...profileOf(p), submit: true } });
      assert.equal(put.status, 202);
      const waiting = await waitFor(() => verification(c), (v) => v.steps.pfr && v.steps.pfr.state === 'waiting',
        { what: 'the Pension Fund step waiting', timeoutMs: 30000 });
      assert.equal(waiting.state, 'checking');
      assert.equal(waiting.running, true);
      assert.ok(waiting.steps.pfr.message.length > 0);
      const page = await c.html('/account/details');
      assert.match(page.text, /Ведомство не отвечает/);
      assert.ok(page.text.includes('data-verification-poll="/api/v1/account/verification"'), 'the page polls while waiting');

      // The server stops while the check waits; a new one takes over from the database.
      await server.stop();
      server = await startServer(['--registries-url', reg.url, '--job-poll-ms', '100', '--job-backoff-base', '1',
        '--job-backoff-cap', '2', '--data-key', DATA_KEY], { database });
      c.base = server.url;
    } finally {
      await setFault(reg, 'pfr', { down: false });
    }
    const v = await waitFor(() => verification(c), (x) => !x.running, { what: 'the check after recovery', timeoutMs: 30000 });
    assert.equal(v.state, 'passed');
    assert.equal(v.steps.pfr.state, 'passed');
    assert.equal((await c.json('/api/v1/account')).body.level, 'standard');
  });

  test('bad input on every field: field messages, 422, never a 500, nothing stored broken', async () => {
    const p = person('p0004');
    const c = await register(server, reg, p);
    const good = profileOf(p);
    const saved = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...good, submit: false } });
    assert.equal(saved.status, 200);

    const hostile = ['<script>alert(1)</script>', "1' OR '1'='1", 'x'.repeat(5000), 'Анна\u0000', 'a\u0007b',
      '{{page.csrf}}', '<img src=x onerror=alert(1)>'];
    const bad = {
      surname: ['', 'Иванов2', 'Smith<b>', 'й'.repeat(61), ...hostile],
      name: ['', '123', ...hostile],
      patronymic: ['Сергеевич;', ...hostile],
      gender: ['', 'm', 'other', ...hostile],
      birth_date: ['', '1990-02-30', '31.04.1990', '1899-12-31', '2999-01-01', '12/04/1990', ...hostile],
      birth_place: ['', '<b>Пермь</b>', 'П'.repeat(201), ...hostile],
      snils: ['', '088-391-325 04', '12345', 'abc', ...hostile],
      citizenship: ['XX', 'Россия', ...hostile],
      document_type: ['driver_licence', ...hostile],
      passport: ['', '5710 72698', '57AB 726989', ...hostile],
      issue_date: ['', '2010-13-01', '1990-01-01', '2999-01-01', ...hostile],
      issued_by: ['', 'ОВД <script>', 'О'.repeat(251), ...hostile],
      department_code: ['', '59-014', '590-0144', ...hostile],
    };
    for (const [field, values] of Object.entries(bad)) {
      for (const value of values) {
        const r = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...good, [field]: value, submit: true } });
        assert.equal(r.status, 422, `${field}=${JSON.stringify(value).slice(0, 40)} → ${r.status}`);
        assert.equal(r.body.error.code, 'profile.invalid');
        assert.ok(r.body.error.fields[field], `${field} has its message for ${JSON.stringify(value).slice(0, 40)}`);
        assert.ok(r.body.error.fields[field].message.length > 5);
      }
    }
    // Wrong JSON types and bodies.
    let r = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...good, snils: 8839132503 } });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.fields.snils.code, 'not_text');
    r = await c.json('/api/v1/account/profile', { method: 'PUT', json: { ...good, submit: 'yes' } });
    assert.equal(r.status, 422);
    r = await c.json('/api/v1/account/profile', { method: 'PUT', raw: '[1,2' });
    assert.equal(r.status, 400);
    r = await c.json('/api/v1/account/profile', { method: 'PUT', raw: '"text"' });
    assert.equal(r.status, 400);

    // The form: errors next to the fields, values re-shown escaped, 422.
    const res = await c.req('/account/details/edit', { method: 'POST',
      form: { ...good, issued_by: '<script>alert(1)</script>', snils: '088-391-325 04', birth_date: '1990-02-30', action: 'submit' } });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.ok(!html.includes('<script>alert(1)</script>'), 'the hostile value is escaped');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'and shown back as typed');
    for (const f of ['issued_by', 'snils', 'birth_date']) {
      assert.ok(html.includes(`id="${f}-error"`), `${f} has its message`);
      assert.ok(html.includes(`href="#${f}"`), `${f} is in the error summary`);
    }
    assert.match(html, /aria-invalid="true"/);

    // Nothing of that was stored; the draft saved first is intact.
    const stored = await c.json('/api/v1/account/profile');
    assert.equal(stored.status, 200);
    assert.equal(stored.body.profile.snils, p.snils);
    assert.equal(stored.body.profile.issued_by, p.passport.issuer);
    assert.equal(stored.body.verification.state, 'not_sent');
    const page = await c.html('/account/details');
    assert.equal(page.status, 200);

    // Fill in later: a partial profile is kept, a partial submit is refused.
    r = await c.json('/api/v1/account/profile', { method: 'PUT', json: { surname: p.surname, name: p.name, submit: false } });
    assert.equal(r.status, 200);
    assert.equal(r.body.complete, false);
    assert.equal(r.body.profile.snils, null);
    r = await c.json('/api/v1/account/profile', { method: 'PUT', json: { surname: p.surname, name: p.name, submit: true } });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.fields.snils.code, 'required');
    assert.equal(r.body.error.fields.patronymic, undefined, 'the patronymic is optional');
  });

  test('access control: another user never sees the details; no session, no data; no CSRF, no change', async () => {
    const first = await register(server, reg, person('p0006'));
    const p = person('p0006');
    const put = await first.json('/api/v1/account/profile', { method: 'PUT', json: { ...profileOf(p), submit: false } });
    assert.equal(put.status, 200);
    const firstId = (await first.json('/api/v1/account')).body.id;

    const second = await register(server, reg, person('p0007'));
    const secrets = [p.snils, `${p.passport.series} ${p.passport.number}`, p.passport.issuer, p.birth_place];
    for (const path of ['/api/v1/account/profile', '/api/v1/account/verification', '/account/details',
      '/account/details/edit', `/api/v1/account/profile?account_id=${firstId}`, `/account/details?account=${firstId}`,
      `/account/details/edit?id=${firstId}`, `/api/v1/account/verification?account_id=${firstId}`]) {
      const res = await second.req(path);
      assert.equal(res.status, 200, path);
      const text = await res.text();
      for (const s of secrets) assert.ok(!text.includes(s), `${path} leaks ${s}`);
    }
    // The second user's save touches only their own profile.
    await second.json('/api/v1/account/profile', { method: 'PUT', json: { surname: 'Иванов', name: 'Александр', submit: false } });
    assert.equal((await first.json('/api/v1/account/profile')).body.profile.snils, p.snils);

    const anonymous = new Client(server.url);
    await anonymous.refresh();
    for (const path of ['/api/v1/account/profile', '/api/v1/account/verification']) {
      const r = await anonymous.req(path);
      assert.equal(r.status, 401, path);
    }
    for (const path of ['/account/details', '/account/details/edit']) {
      const r = await anonymous.req(path);
      assert.equal(r.status, 303, path);
      assert.match(r.headers.get('location'), /^\/signin\?next=/);
    }
    let r = await anonymous.req('/api/v1/account/profile', { method: 'PUT', json: { ...profileOf(p), submit: true } });
    assert.equal(r.status, 401);

    // Without the CSRF token nothing changes.
    r = await first.req('/api/v1/account/profile', { method: 'PUT', json: { ...profileOf(p), snils: '112-233-445 95' },
      headers: { 'x-csrf-token': 'forged' } });
    assert.equal(r.status, 403);
    r = await first.req('/account/details/edit', { method: 'POST', form: { ...profileOf(p), _csrf: 'forged', action: 'draft' } });
    assert.equal(r.status, 403);
    r = await first.req('/account/details/submit', { method: 'POST', form: { _csrf: '' } });
    assert.equal(r.status, 403);
    assert.equal((await first.json('/api/v1/account/profile')).body.profile.snils, p.snils);
  });
});
