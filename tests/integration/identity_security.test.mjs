// Account settings, two-step sign-in, recovery and "who accessed my data"
// (ID-6) against real processes: `uslugi serve` with its job runner, the
// registries sandbox (its SMS gateway and the Maildir it reads) and a real
// SMTP server (Debian's python3-aiosmtpd) writing into that Maildir. Codes
// are read where a person would read them: in the SMS list and the inbox.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, waitFor } from '../support/server.mjs';
import { startRegistries, people } from '../support/registries.mjs';
import { freePort, startSmtp } from '../support/identity.mjs';
import { sessionCookie, csrfCookie, csrfToken } from '../support/http.mjs';
import { base32Decode, totpAt } from '../support/totp.mjs';

const PASSWORD = 'синий трамвай едет в депо';
const NEW_PASSWORD = 'зелёный слон читает утреннюю газету';



// ---- a browser without a browser: one cookie jar, the page's CSRF token ----

class Client {
  constructor(base) {
    this.base = base;
    this.sid = null;
    this.csrf = null;
  }

  async request(method, path, { form, json } = {}) {
    const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' };
    if (this.sid || this.csrfCookie) headers.cookie = [this.csrfCookie && `csrf=${this.csrfCookie}`, this.sid && `sid=${this.sid}`].filter(Boolean).join('; ');
    let body;
    if (form) {
      body = new URLSearchParams({ _csrf: this.csrf ?? '', ...form }).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (json) {
      body = JSON.stringify(json);
      headers['content-type'] = 'application/json';
      headers['x-csrf-token'] = this.csrf ?? '';
    }
    if (path.startsWith('/api/')) headers.accept = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    const cookie = sessionCookie(res);
    if (cookie) this.sid = cookie.value || null;
    const anonymous = csrfCookie(res);  // the CSRF cookie of a visitor without a session
    if (anonymous) this.csrfCookie = anonymous.value;
    const text = await res.text();
    const token = csrfToken(text);
    if (token) this.csrf = token;
    if (res.headers.get('content-type')?.startsWith('application/json')) {
      const j = JSON.parse(text);
      if (j.csrf_token) this.csrf = j.csrf_token;
    }
    return { status: res.status, location: res.headers.get('location'), text, json: () => JSON.parse(text) };
  }

  get(path) { return this.request('GET', path); }
  post(path, form = {}) { return this.request('POST', path, { form }); }
  api(method, path, json) { return this.request(method, path, json ? { json } : {}); }
  // A fresh anonymous session and its CSRF token, as a page load would give.
  async open() { return this.get('/api/v1/session'); }
}

describe('account security (ID-6)', () => {
  let server, sandbox, smtp;
  const phones = people.map((p) => p.phone).filter(Boolean);
  let nextPhone = 0;
  const takePhone = () => phones[nextPhone++];

  before(async () => {
    sandbox = await startRegistries();
    const smtpPort = await freePort();
    smtp = await startSmtp(smtpPort, sandbox.mailDir);
    server = await startServer(['--smtp-port', String(smtpPort), '--registries-url', sandbox.url,
      '--job-backoff-base', '1', '--job-backoff-cap', '2', '--job-poll-ms', '50']);
  });

  after(async () => {
    if (server) await server.stop();
    if (smtp) await smtp.stop();
    if (sandbox) await sandbox.stop();
  });

  const smsTo = async (phone) => {
    const res = await fetch(`${sandbox.url}/sms/messages?phone=${encodeURIComponent(phone)}`);
    assert.equal(res.status, 200);
    return (await res.json()).messages;
  };
  // Resolves with the newest SMS to `phone` matching `pattern` once more than `seen` have arrived.
  const nextSms = async (phone, seen, pattern = /\d{6}/) => {
    const list = await waitFor(() => smsTo(phone), (l) => l.length > seen && pattern.test(l[0].text),
      { what: `SMS number ${seen + 1} to ${phone}` });
    return list[0].text;
  };
  const codeOf = (text) => text.match(/\b(\d{6})\b/)[1];
  const mailTo = async (address) => {
    const res = await fetch(`${sandbox.url}/demo/mail?to=${encodeURIComponent(address)}`);
    assert.equal(res.status, 200);
    return (await res.json()).messages;
  };

  // Registration by phone, the lead's flow: returns a signed-in client.
  async function register(phone, { surname = 'Смирнова', name = 'Анна', password = PASSWORD } = {}) {
    const c = new Client(server.url);
    await c.get('/signup');
    const seen = (await smsTo(phone)).length;
    let r = await c.post('/signup', { surname, name, contact: phone });
    assert.equal(r.status, 303, r.text);
    assert.equal(r.location, '/signup/code');
    const code = codeOf(await nextSms(phone, seen));
    r = await c.post('/signup/code', { code });
    assert.equal(r.location, '/signup/password', r.text);
    r = await c.post('/signup/password', { password, password_repeat: password });
    assert.equal(r.status, 303, r.text);
    await c.get('/account/security');
    return c;
  }

  async function signIn(login, password, status = 303) {
    const c = new Client(server.url);
    await c.get('/signin');
    const r = await c.post('/signin', { login, password });
    assert.equal(r.status, status, r.text);
    return { client: c, response: r };
  }

  const accountId = async (c) => {
    const r = await c.api('GET', '/api/v1/account');
    assert.equal(r.status, 200, r.text);
    return r.json().id;
  };

  test('changing the password needs the old one, signs out other sessions and retires the old password', async () => {
    const phone = takePhone();
    const owner = await register(phone);
    const { client: other } = await signIn(phone, PASSWORD);
    assert.equal((await other.api('GET', '/api/v1/account')).status, 200);

    await owner.get('/account/security/password');
    let r = await owner.post('/account/security/password',
      { current_password: 'не тот пароль', password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
    assert.equal(r.status, 422);
    assert.match(r.text, /Текущий пароль введён неверно/);
    assert.match(r.text, /aria-invalid="true" aria-describedby="current_password-error"/);
    r = await owner.post('/account/security/password',
      { current_password: PASSWORD, password: NEW_PASSWORD, password_repeat: 'другой' });
    assert.equal(r.status, 422);
    assert.match(r.text, /Пароли не совпадают/);

    const smsBefore = (await smsTo(phone)).length;
    r = await owner.post('/account/security/password',
      { current_password: PASSWORD, password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
    assert.equal(r.status, 303, r.text);
    assert.equal(r.location, '/account/security?done=password');
    assert.match((await owner.get(r.location)).text, /Пароль изменён/);

    assert.equal((await other.api('GET', '/api/v1/account')).status, 401, 'the other session is signed out');
    assert.equal((await owner.api('GET', '/api/v1/account')).status, 200, 'this one stays');
    await signIn(phone, PASSWORD, 401);
    await signIn(phone, NEW_PASSWORD, 303);
    assert.match(await nextSms(phone, smsBefore, /пароль изменён/), /пароль изменён/);

    const activity = await owner.api('GET', '/api/v1/account/activity');
    const actions = activity.json().entries.map((e) => e.action);
    assert.ok(actions.includes('password_changed'));
    assert.ok(actions.includes('reauth_failed'), 'the wrong current password is in the log');
  });

  test('the JSON twin of the password change answers with stable codes', async () => {
    const phone = takePhone();
    const c = await register(phone);
    let r = await c.api('POST', '/api/v1/account/security/password',
      { current_password: PASSWORD, password: '123', password_repeat: '123' });
    assert.equal(r.status, 422);
    assert.equal(r.json().error.fields.password.code, 'too_short');
    r = await c.api('POST', '/api/v1/account/security/password', 'not an object');
    assert.equal(r.status, 400);
    r = await c.api('POST', '/api/v1/account/security/password',
      { current_password: PASSWORD, password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().changed, true);
    const anonymous = new Client(server.url);
    await anonymous.open();
    r = await anonymous.api('POST', '/api/v1/account/security/password', { current_password: 'x' });
    assert.equal(r.status, 401);
    assert.equal(r.json().error.code, 'identity.signin_required');
  });

  test('two-step sign-in by SMS: the phone is confirmed first, then every sign-in asks for a code', async () => {
    const phone = takePhone();
    const c = await register(phone);
    let seen = (await smsTo(phone)).length;
    // Nothing changes before the password is typed again in this session.
    let r = await c.post('/account/security/two-factor/sms/start');
    assert.equal(r.status, 403, r.text);
    r = await c.post('/account/security/two-factor/reauth', { password: PASSWORD });
    assert.equal(r.location, '/account/security/two-factor', r.text);
    await c.get(r.location);
    r = await c.post('/account/security/two-factor/sms/start');
    assert.equal(r.status, 303, r.text);
    assert.equal(r.location, '/account/security/two-factor/sms');
    const page = await c.get(r.location);
    assert.equal(page.status, 200);
    const code = codeOf(await nextSms(phone, seen, /включения входа/));
    r = await c.post('/account/security/two-factor/sms', { code: code === '000000' ? '111111' : '000000' });
    assert.equal(r.status, 422, 'a wrong code');
    r = await c.post('/account/security/two-factor/sms', { code });
    assert.equal(r.location, '/account/security?done=two_factor_on', r.text);
    assert.equal((await c.api('GET', '/api/v1/account/security')).json().two_factor, 'sms');

    seen = (await smsTo(phone)).length;
    const { client: next, response } = await signIn(phone, PASSWORD);
    assert.equal(response.location, '/signin/code');
    assert.equal((await next.api('GET', '/api/v1/account')).status, 401, 'not signed in before the code');
    const signinCode = codeOf(await nextSms(phone, seen, /для входа/));
    r = await next.post('/signin/code', { code: signinCode });
    assert.equal(r.status, 303, r.text);
    assert.equal((await next.api('GET', '/api/v1/account')).status, 200);

    // Switching off needs the password and a code to the phone (the change gave this browser a new session).
    await c.get('/account/security/two-factor');
    r = await c.post('/account/security/two-factor/off', { password: PASSWORD });
    assert.equal(r.status, 403, 'a password in the form is not enough');
    r = await c.post('/account/security/two-factor/reauth', { password: 'не тот' });
    assert.equal(r.status, 422);
    seen = (await smsTo(phone)).length;
    r = await c.post('/account/security/two-factor/reauth', { password: PASSWORD });
    assert.equal(r.location, '/account/security/two-factor/reauth/code', r.text);
    await c.get(r.location);
    r = await c.post('/account/security/two-factor/reauth/code', { code: codeOf(await nextSms(phone, seen, /изменения входа/)) });
    assert.equal(r.location, '/account/security/two-factor', r.text);
    await c.get(r.location);
    r = await c.post('/account/security/two-factor/off');
    assert.equal(r.location, '/account/security?done=two_factor_off');
    assert.equal((await c.api('GET', '/api/v1/account/security')).json().two_factor, 'off');
  });

  test('two-step sign-in by an authenticator app: QR code and key, then codes; a replayed code is refused', async () => {
    const phone = takePhone();
    const c = await register(phone);
    assert.equal((await c.get('/account/security/two-factor/app')).status, 303, 'the password first');
    await c.get('/account/security/two-factor');
    await c.post('/account/security/two-factor/reauth', { password: PASSWORD });
    const page = await c.get('/account/security/two-factor/app');
    assert.equal(page.status, 200);
    assert.match(page.text, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="qr-code" viewBox="0 0 \d+ \d+"[^>]* role="img" aria-label="[^"]+"/);
    const key = page.text.match(/<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)<\/code>/)[1];
    const secret = base32Decode(key);
    assert.equal(secret.length, 20);
    // The same key on a reload: the app already scanned it.
    assert.ok((await c.get('/account/security/two-factor/app')).text.includes(key));

    let r = await c.post('/account/security/two-factor/app', { code: totpAt(secret, Date.now() / 1000 - 600) });
    assert.equal(r.status, 422, 'a code from ten minutes ago');
    const now = Date.now() / 1000;
    r = await c.post('/account/security/two-factor/app', { code: totpAt(secret, now) });
    assert.equal(r.location, '/account/security?done=two_factor_on', r.text);
    assert.equal((await c.api('GET', '/api/v1/account/security')).json().two_factor, 'totp');

    // The next step's code (within the allowed drift) signs in once …
    const nextCode = totpAt(secret, now + 30);
    const first = await signIn(phone, PASSWORD);
    assert.equal(first.response.location, '/signin/code');
    r = await first.client.post('/signin/code', { code: nextCode });
    assert.equal(r.status, 303, r.text);
    assert.equal((await first.client.api('GET', '/api/v1/account')).status, 200);
    // … and never again.
    const second = await signIn(phone, PASSWORD);
    r = await second.client.post('/signin/code', { code: nextCode });
    assert.equal(r.status, 422, 'replayed code');
    assert.equal((await second.client.api('GET', '/api/v1/account')).status, 401);
  });

  test('sessions: the list, ending one by its handle, and signing out everywhere else', async () => {
    const phone = takePhone();
    const owner = await register(phone);
    const { client: b } = await signIn(phone, PASSWORD);
    const { client: d } = await signIn(phone, PASSWORD);
    let list = (await owner.api('GET', '/api/v1/account/security/sessions')).json().sessions;
    assert.equal(list.length, 3);
    assert.equal(list.filter((s) => s.current).length, 1);
    assert.ok(list.every((s) => s.ip === '127.0.0.1' && s.device === 'Firefox · Linux' && /^[0-9a-f]{16}$/.test(s.handle)));

    const page = await owner.get('/account/security/sessions');
    assert.match(page.text, /это устройство/);
    assert.equal((page.text.match(/name="handle"/g) || []).length, 2, 'an end button for each other session');

    // b's own list tells which handle is b's.
    const bHandle = (await b.api('GET', '/api/v1/account/security/sessions')).json().sessions.find((s) => s.current).handle;
    let r = await owner.post('/account/security/sessions/end', { handle: bHandle });
    assert.equal(r.location, '/account/security/sessions?ended=1');
    assert.equal((await b.api('GET', '/api/v1/account')).status, 401);
    assert.equal((await d.api('GET', '/api/v1/account')).status, 200);
    r = await owner.post('/account/security/sessions/end', { handle: bHandle });
    assert.equal(r.location, '/account/security/sessions?missing=1');

    r = await owner.post('/account/security/sessions/end-others');
    assert.equal(r.location, '/account/security/sessions?ended=1');
    assert.equal((await d.api('GET', '/api/v1/account')).status, 401);
    list = (await owner.api('GET', '/api/v1/account/security/sessions')).json().sessions;
    assert.equal(list.length, 1);
    assert.equal(list[0].current, true);

    // Another account cannot end these sessions, even knowing a handle.
    const stranger = await register(takePhone());
    r = await stranger.api('POST', '/api/v1/account/security/sessions/end', { handle: list[0].handle });
    assert.equal(r.status, 404);
    assert.equal((await owner.api('GET', '/api/v1/account')).status, 200);
  });

  test('a new e-mail is confirmed by a link, then every sign-in sends an e-mail; a taken phone is refused', async () => {
    const phone = takePhone();
    const email = `security-${Date.now()}@example.org`;
    const c = await register(phone);
    await c.get('/account/security');
    let r = await c.post('/account/security/notify-signin', { on: 'on' });
    assert.equal(r.status, 422, 'no e-mail yet');
    assert.match(r.text, /нет адреса почты/);

    await c.get('/account/security/contacts');
    r = await c.post('/account/security/contacts', { kind: 'email', value: email, password: PASSWORD });
    assert.equal(r.location, '/account/security/contacts/code', r.text);
    const mail = await waitFor(() => mailTo(email), (l) => l.length > 0, { what: 'the confirmation e-mail' });
    const link = mail[0].body.match(/https?:\/\/\S+\/account\/security\/contacts\/confirm\?token=[\w-]+/)[0];
    // Opening the link shows the new address and a button; only the button changes it.
    r = await c.get(new URL(link).pathname + new URL(link).search);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.text.includes(`${email.slice(0, 2)}***@example.org`), 'the page names the new address');
    assert.doesNotMatch((await c.api('GET', '/api/v1/account')).text, new RegExp(email.replace(/[.]/g, '\\.')));
    r = await c.post('/account/security/contacts/confirm', { token: new URL(link).searchParams.get('token') });
    assert.equal(r.location, '/account/security?done=contact', r.text);
    assert.match((await c.api('GET', '/api/v1/account')).text, new RegExp(email.replace(/[.]/g, '\\.')));

    r = await c.post('/account/security/notify-signin', { on: 'on' });
    assert.equal(r.location, '/account/security?done=notify_on');
    const before = (await mailTo(email)).length;
    await signIn(email, PASSWORD);
    const notices = await waitFor(() => mailTo(email), (l) => l.length > before, { what: 'the sign-in e-mail' });
    assert.match(notices[0].subject, /Вход в вашу учётную запись/);
    assert.match(notices[0].body, /127\.0\.0\.1/);

    // Another account's phone is refused with a clear message.
    const otherPhone = takePhone();
    await register(otherPhone);
    await c.get('/account/security/contacts');
    r = await c.post('/account/security/contacts', { kind: 'phone', value: otherPhone, password: PASSWORD });
    assert.equal(r.status, 409);
    assert.match(r.text, /привязан к другой учётной записи/);
    assert.match(r.text, /id="phone" name="value"[^>]*aria-invalid="true"/);
  });

  test('deleting the account: password and confirmation, then sign-in fails and the phone registers again', async () => {
    const phone = takePhone();
    const c = await register(phone);
    const id = await accountId(c);
    await c.get('/account/security/delete');
    let r = await c.post('/account/security/delete', { password: PASSWORD });
    assert.equal(r.status, 422, 'no confirmation');
    assert.match(r.text, /удаление нельзя отменить/);
    r = await c.post('/account/security/delete', { password: 'не тот', confirm: 'on' });
    assert.equal(r.status, 422);
    assert.equal((await c.api('GET', '/api/v1/account')).status, 200, 'still there');

    r = await c.post('/account/security/delete', { password: PASSWORD, confirm: 'on' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /Учётная запись удалена/);
    assert.doesNotMatch(r.text, /class="account-name"/, 'the page is shown signed out');
    assert.equal((await c.api('GET', '/api/v1/account')).status, 401);
    await signIn(phone, PASSWORD, 401);

    const audit = await (await fetch(`${server.url}/test/identity/audit/${id}`)).json();
    assert.equal(audit.entries[0].action, 'account_deleted');
    assert.ok(audit.entries.length > 1, 'the history stays');
    assert.ok(audit.entries.every((e) => e.ip === null && e.device === null), 'no addresses or devices are kept');

    const again = await register(phone, { surname: 'Новикова', name: 'Анна' });
    assert.notEqual(await accountId(again), id, 'a new account');
  });

  test('deleting an account with two-step sign-in on needs the code as well', async () => {
    const phone = takePhone();
    const c = await register(phone);
    let seen = (await smsTo(phone)).length;
    await c.get('/account/security/two-factor');
    await c.post('/account/security/two-factor/reauth', { password: PASSWORD });
    await c.post('/account/security/two-factor/sms/start');
    await c.post('/account/security/two-factor/sms', { code: codeOf(await nextSms(phone, seen)) });
    await c.open();  // the change gave this browser a new session and CSRF token
    seen = (await smsTo(phone)).length;
    let r = await c.api('POST', '/api/v1/account/security/delete', { password: PASSWORD, confirm: true });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json().challenge.channel, 'sms');
    assert.equal((await c.api('GET', '/api/v1/account')).status, 200, 'not deleted yet');
    const code = codeOf(await nextSms(phone, seen, /УДАЛЕНИЯ/));
    r = await c.api('POST', '/api/v1/account/security/delete/code', { code });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().deleted, true);
    await signIn(phone, PASSWORD, 401);
  });

  test('recovery by phone: identical answers with or without an account; the real one sets a new password', async () => {
    const phone = takePhone();
    const nobody = takePhone();
    const owner = await register(phone);
    // What may differ: the tokens, the masked numbers, and a countdown read a second apart.
    const normalize = (html) => html
      .replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="…"')
      .replace(/data-(countdown|enable-after)="\d+"/g, 'data-$1="…"')
      .replace(/<span class="countdown">[^<]*<\/span>/g, '<span class="countdown">…</span>')
      .replace(/\+7 \d{3} \*\*\*-\*\*-\d{2}/g, '+7 … ***-**-..');

    const a = new Client(server.url), b = new Client(server.url);
    await a.get('/recover');
    await b.get('/recover');
    const seen = (await smsTo(phone)).length;
    const ra = await a.post('/recover', { contact: phone });
    const rb = await b.post('/recover', { contact: nobody });
    assert.equal(ra.status, 303);
    assert.deepEqual([rb.status, rb.location], [ra.status, ra.location]);
    const pa = await a.get('/recover/code'), pb = await b.get('/recover/code');
    assert.equal(pa.status, 200);
    assert.equal(pb.status, pa.status);
    assert.equal(normalize(pb.text), normalize(pa.text));
    assert.match(pa.text, /Если учётная запись с таким номером есть/);

    const wa = await a.post('/recover/code', { code: '000000' });
    const wb = await b.post('/recover/code', { code: '000000' });
    assert.equal(wb.status, wa.status);
    assert.equal(normalize(wb.text), normalize(wa.text));

    const code = codeOf(await nextSms(phone, seen, /восстановления/));

    // The JSON twin, from fresh sessions (the real phone gets a second code, for that session).
    const ja = new Client(server.url), jb = new Client(server.url);
    await ja.open();
    await jb.open();
    const xa = await ja.api('POST', '/api/v1/recover', { contact: phone });
    const xb = await jb.api('POST', '/api/v1/recover', { contact: nobody });
    assert.equal(xa.status, 202);
    assert.equal(xb.status, xa.status);
    const shape = (j) => ({ ...j, challenge: { ...j.challenge, destination: typeof j.challenge.destination,
      code_expires_in: Math.round(j.challenge.code_expires_in / 10), resend_in: Math.round(j.challenge.resend_in / 10) } });
    assert.deepEqual(shape(xb.json()), shape(xa.json()));

    // Only the real account's phone got anything.
    await nextSms(phone, seen + 1, /восстановления/);
    assert.deepEqual(await smsTo(nobody), []);
    let r = await a.post('/recover/code', { code });
    assert.equal(r.location, '/recover/password', r.text);
    r = await a.get('/recover/password');
    assert.equal(r.status, 200);
    r = await a.post('/recover/password', { password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
    assert.equal(r.location, '/account/security?done=recovered', r.text);
    assert.equal((await a.api('GET', '/api/v1/account')).status, 200, 'signed in');
    assert.equal((await owner.api('GET', '/api/v1/account')).status, 401, 'the old session ended');
    await signIn(phone, PASSWORD, 401);
    await signIn(phone, NEW_PASSWORD, 303);

    // The non-existent account's flow never reaches a password.
    r = await b.get('/recover/password');
    assert.equal(r.location, '/recover');
  });

  test('recovery refuses bad input clearly and never 500s', async () => {
    const c = new Client(server.url);
    await c.get('/recover');
    let r = await c.post('/recover', { contact: 'not a phone' });
    assert.equal(r.status, 422);
    assert.match(r.text, /aria-invalid="true"/);
    r = await c.post('/recover/question', { id_kind: 'snils', id_value: '112-233-445 96', question: 'first_pet', answer: 'x' });
    assert.equal(r.status, 422);
    r = await c.post('/recover/question', { id_kind: 'snils', id_value: '112-233-445 95', question: 'first_pet', answer: 'Рыжик' });
    assert.equal(r.status, 401);
    assert.match(r.text, /Данные не совпадают/);
    r = await c.api('POST', '/api/v1/recover/question', { id_kind: 'passport', id_value: '4508 123456', question: 'first_pet', answer: 'x' });
    assert.equal(r.status, 401);
    assert.equal(r.json().error.code, 'identity.wrong_credentials');
    r = await c.get('/recover/confirm?token=' + 'x'.repeat(43));
    assert.equal(r.status, 404);
    r = await c.post('/recover/password', { password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
    assert.equal(r.location, '/recover');
  });

  test('"who accessed my data" shows an officer\'s read to the owner and to nobody else', async () => {
    const owner = await register(takePhone());
    const stranger = await register(takePhone(), { surname: 'Петров', name: 'Пётр' });
    const id = await accountId(owner);

    let page = await owner.get('/account/access-log');
    assert.equal(page.status, 200);
    assert.match(page.text, /Никто, кроме вас, к вашим данным пока не обращался/);

    const rec = await fetch(`${server.url}/test/identity/access`, {
      method: 'POST',
      body: JSON.stringify({ account_id: id, actor_kind: 'officer', actor_id: 'officer-17', actor_name: 'Кузнецова Мария Ивановна',
        organisation: 'ОСФР по Пермскому краю', fields: 'snils,passport', reason: 'Назначение пенсии по заявлению' }),
    });
    assert.equal(rec.status, 201);
    const self = await fetch(`${server.url}/test/identity/access`, { method: 'POST', body: JSON.stringify({ account_id: id, actor_kind: 'self' }) });
    assert.equal(self.status, 400, 'the owner is not "someone else"');

    page = await owner.get('/account/access-log');
    for (const text of ['Кузнецова Мария Ивановна', 'ОСФР по Пермскому краю', 'СНИЛС, паспорт', 'Назначение пенсии по заявлению', 'сотрудник ведомства'])
      assert.ok(page.text.includes(text), text);
    const j = (await owner.api('GET', '/api/v1/account/access-log')).json();
    assert.equal(j.total, 1);
    assert.deepEqual(j.entries[0].fields, ['snils', 'passport']);
    assert.equal(j.entries[0].organisation, 'ОСФР по Пермскому краю');

    const theirs = await stranger.get('/account/access-log');
    assert.doesNotMatch(theirs.text, /Кузнецова/);
    assert.equal((await stranger.api('GET', '/api/v1/account/access-log')).json().total, 0);
    // Nor does the read show up among the owner's own actions.
    const own = (await owner.api('GET', '/api/v1/account/activity')).json().entries;
    assert.ok(own.every((e) => e.action !== 'data_read'));
    assert.ok(own.some((e) => e.action === 'signin'));
  });

  test('the activity page shows sign-ins and failures in Moscow time with address and device, paginated', async () => {
    const phone = takePhone();
    const c = await register(phone);
    await signIn(phone, 'не тот пароль', 401);
    const page = await c.get('/account/activity');
    assert.equal(page.status, 200);
    assert.match(page.text, /Неудачная попытка входа/);
    assert.match(page.text, /Регистрация/);
    assert.match(page.text, /<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d\d\.\d\d\.\d{4} \d\d:\d\d<\/time>/);
    assert.match(page.text, /Firefox · Linux/);
    const api = (await c.api('GET', '/api/v1/account/activity?page=1')).json();
    assert.equal(api.page_size, 20);
    assert.ok(api.total >= 3);
    assert.equal((await c.api('GET', '/api/v1/account/activity?page=99')).json().entries.length, 0);
    assert.equal((await c.get('/account/activity?page=abc')).status, 200);
    const anonymous = new Client(server.url);
    const r = await anonymous.get('/account/activity');
    assert.equal(r.status, 303);
    assert.match(r.location, /^\/signin\?next=/);
  });
});
