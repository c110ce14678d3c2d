// Two-step sign-in holds where the security review found it did not: a
// password recovery (by SMS code, e-mail link or SNILS + question) asks for
// the second factor before the new password is accepted, and a stolen
// session cannot set up its own authenticator, switch SMS ↔ app or switch
// two-step sign-in off without the password and the current code. Against a
// real `uslugi serve` with the registries sandbox (SMS, identity checks) and a
// real SMTP sink; codes are read where the person would read them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/server.mjs';
import { person } from '../support/registries.mjs';
import {
  startIdentityStack, newAccount, registerViaApi, signInViaApi, uniqueEmail, mailFor, text, htmlText,
} from '../support/identity.mjs';
import { base32Decode, totpAt } from '../support/totp.mjs';

let stack;
before(async () => { stack = await startIdentityStack(); });
after(async () => { await stack?.stop(); });

const NEW_PASSWORD = 'зелёный слон читает утреннюю газету';

// ---- RFC 6238, written here so the server's own implementation is not what checks it ----


const now = () => Date.now() / 1000;
const stepNow = () => Math.floor(now() / 30);
// A code of the app that is certainly not the right one now (nor in the allowed drift).
const wrongTotp = (secret) => totpAt(secret, now() - 3600);

// The authenticator app of one account. The server takes each time step once
// (a replayed code is refused), accepting one step of drift either way, so
// every code handed out is for a step after the last one; when that step is
// too far ahead the clock is polled until it comes within the drift.
function authenticator(secret) {
  let last = -Infinity;
  return {
    secret,
    async code() {
      const step = Math.max(stepNow(), last + 1);
      if (step > stepNow() + 1) {
        await waitFor(async () => stepNow(), (s) => s >= step - 1, { what: 'the next time step of the app', timeoutMs: 45000 });
      }
      last = step;
      return totpAt(secret, step * 30);
    },
  };
}

// ---- steps ----------------------------------------------------------------------------------------

// Re-authenticates `client` (password, then the current code when asked) through the API.
async function reauth(client, password, codeFor) {
  const r = await client.api('POST', '/api/v1/account/security/two-factor/reauth', { password });
  if (r.status === 200) return r;
  assert.equal(r.status, 202, r.body);
  const done = await client.api('POST', '/api/v1/account/security/two-factor/reauth/code', { code: await codeFor(r.json.challenge) });
  assert.equal(done.status, 200, done.body);
  return done;
}

// What the owner has been told about changes of two-step sign-in so far: the
// ids of those SMS and e-mails, per channel of the signed-in client's account.
async function noticesOf(client) {
  const me = (await client.api('GET', '/api/v1/account')).json;
  const sms = me.phone ? (await stack.sms(me.phone)).filter((m) => smsNotice(m.text)) : [];
  const mail = me.email ? (await mailFor(stack.registries, me.email))
    .filter((m) => m.subject === text('notifications.security.two_factor_changed.subject')) : [];
  return { phone: me.phone, email: me.email, ids: new Set([...sms, ...mail].map((m) => m.id)) };
}
// The notice SMS starts with the template's text up to its first placeholder.
const smsNotice = (t) => (t.startsWith(text('notifications.security.two_factor_changed.sms').split('{{')[0]) ? t : null);

// Waits until the owner has been told on every channel since `before` (so
// that no notice arrives later among the codes a test reads).
async function awaitNotices(before) {
  if (before.phone)
    await waitFor(async () => (await stack.sms(before.phone)).filter((m) => smsNotice(m.text) && !before.ids.has(m.id)),
      (l) => l.length > 0, { what: 'the SMS about the change of two-step sign-in' });
  if (before.email)
    await waitFor(async () => (await mailFor(stack.registries, before.email))
      .filter((m) => m.subject === text('notifications.security.two_factor_changed.subject') && !before.ids.has(m.id)),
    (l) => l.length > 0, { what: 'the e-mail about the change of two-step sign-in' });
}

// Sets up the authenticator app for a signed-in client (two-step off: the
// password is the whole re-authentication); returns the app.
async function enableApp(client, password) {
  await reauth(client, password);
  const setup = await client.api('POST', '/api/v1/account/security/two-factor/app');
  assert.equal(setup.status, 202, setup.body);
  const app = authenticator(base32Decode(setup.json.secret));
  const before = await noticesOf(client);
  const on = await client.api('POST', '/api/v1/account/security/two-factor/app/code', { code: await app.code() });
  assert.equal(on.status, 200, on.body);
  assert.equal(on.json.two_factor, 'totp');
  await client.session();
  await awaitNotices(before);
  return app;
}

async function enableSms(client, phone, password) {
  await reauth(client, password);
  const seen = new Set((await stack.sms(phone)).map((m) => m.id));
  const started = await client.api('POST', '/api/v1/account/security/two-factor/sms');
  assert.equal(started.status, 202, started.body);
  const code = await stack.nextSmsCode(phone, seen);
  const before = await noticesOf(client);
  const on = await client.api('POST', '/api/v1/account/security/two-factor/sms/code', { code });
  assert.equal(on.status, 200, on.body);
  await client.session();
  await awaitNotices(before);
}

// Signs a fresh client in past the second step; returns it.
async function signInWithCode(login, password, codeFor) {
  const c = stack.client();
  const r = await signInViaApi(c, login, password);
  assert.equal(r.status, 202, r.body);
  const done = await c.api('POST', '/api/v1/identity/signin/code', { code: await codeFor() });
  assert.equal(done.status, 200, done.body);
  await c.session();
  return c;
}

const seenSms = async (phone) => new Set((await stack.sms(phone)).map((m) => m.id));
const signedIn = async (c) => (await c.api('GET', '/api/v1/account')).status === 200;

// A demo person whose SNILS and passport the sandbox confirms, registered by
// phone, with the checks passed and a security question set.
async function checkedAccount(id, { question = 'first_pet', answer = 'Рыжик' } = {}) {
  const p = person(id);
  const client = stack.client();
  const reg = await registerViaApi(stack, client, { contact: p.phone, surname: p.surname, name: p.name });
  const profile = {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender, birth_date: p.birth_date,
    birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship, document_type: 'passport_rf',
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date, issued_by: p.passport.issuer,
    department_code: p.passport.department_code, submit: true,
  };
  const put = await client.api('PUT', '/api/v1/account/profile', profile);
  assert.equal(put.status, 202, put.body);
  await waitFor(async () => (await client.api('GET', '/api/v1/account/verification')).json,
    (v) => v.state === 'passed' && !v.running, { what: `the checks of ${id}`, timeoutMs: 30000 });
  const q = await client.api('POST', '/api/v1/account/security/question', { password: reg.password, question, answer });
  assert.equal(q.status, 200, q.body);
  return { ...reg, client, person: p, question, answer };
}

// Starts a recovery by phone in a fresh client and types the SMS code: returns the client and the answer.
async function recoverByPhone(phone) {
  const c = stack.client();
  await c.get('/recover');
  const seen = await seenSms(phone);
  const start = await c.postForm('/recover', { contact: phone });
  assert.equal(start.location, '/recover/code', start.body);
  await c.get('/recover/code');
  const proven = await c.postForm('/recover/code', { code: await stack.nextSmsCode(phone, seen) });
  assert.equal(proven.status, 303, proven.body);
  return { client: c, proven };
}

// The recovery link from the newest e-mail to `email`, opened the way the portal asks for it.
async function openRecoveryLink(client, email, seen) {
  const pattern = /https?:\/\/[^\s"<>]+\/recover\/confirm\?token=[^\s"<>]+/;
  // Other mail (the notice about the app just set up) may arrive in between: the link's mail is the one.
  const mail = await waitFor(async () => (await mailFor(stack.registries, email)).filter((m) => !seen.has(m.id) && pattern.test(m.body)),
    (l) => l.length > 0, { what: `the recovery e-mail to ${email}` });
  const link = new URL(mail[0].body.match(pattern)[0]);
  let r = await client.get(link.pathname + link.search);
  // A confirmation page with a button (GET shows, POST confirms) is fine too.
  if (r.status === 200 && r.body.includes('action="/recover/confirm"'))
    r = await client.postForm('/recover/confirm', { token: link.searchParams.get('token') });
  return r;
}

// The password step cannot be reached or used while the second proof is missing, neither as a page nor in the API.
async function assertPasswordStepClosed(c, { contact, login = contact, password }) {
  let r = await c.get('/recover/password');
  assert.equal(r.location, '/recover/second', 'the password page sends to the second proof');
  r = await c.postForm('/recover/password', { password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
  assert.equal(r.status, 303);
  assert.equal(r.location, '/recover/second', 'posting the password directly is refused');
  r = await c.api('POST', '/api/v1/recover/password', { password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
  assert.equal(r.status, 403, r.body);
  assert.equal(r.json.error.code, 'identity.second_factor');
  assert.equal(await signedIn(c), false);
  // The password did not change: the old one is still the one that works.
  const probe = await signInViaApi(stack.client(), login, NEW_PASSWORD);
  assert.equal(probe.status, 401, 'the new password was not set: ' + probe.body);
  const old = await signInViaApi(stack.client(), login, password);
  assert.equal(old.status, 202, 'the old password still leads to the second step');
}

async function finishRecovery(c) {
  let r = await c.get('/recover/password');
  assert.equal(r.status, 200, r.body);
  r = await c.postForm('/recover/password', { password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
  assert.equal(r.location, '/account/security?done=recovered', r.body);
  assert.equal(await signedIn(c), true);
}

// ---- recovery -------------------------------------------------------------------------------------

describe('recovery of an account with two-step sign-in', () => {
  test('by SMS code with an app: the app\'s code is required, wrong codes are throttled, the right one finishes', async () => {
    const owner = await newAccount(stack);
    const ownerClient = stack.client();
    await signInViaApi(ownerClient, owner.contact, owner.password);
    const app = await enableApp(ownerClient, owner.password);
    const secret = app.secret;

    const { client: c, proven } = await recoverByPhone(owner.contact);
    assert.equal(proven.location, '/recover/second', 'the code proves the phone, not the second factor');
    const page = await c.get('/recover/second');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(htmlText('security.recover.second_app')), 'asks for the app\'s code');
    assert.ok(page.body.includes('href="/centres"'), 'a way out when the app is lost');
    await assertPasswordStepClosed(c, owner);

    // Wrong codes are refused one by one, until the account's counter makes every try wait.
    let waits = null;
    for (let i = 0; i < 6 && !waits; i++) {
      const r = await c.api('POST', '/api/v1/recover/second/code', { code: wrongTotp(secret) });
      assert.ok([422, 429].includes(r.status), r.body);
      if (r.status === 422) assert.equal(r.json.error.code, 'identity.wrong_code');
      if (r.json.error.retry_after > 0) waits = r;
    }
    assert.ok(waits, 'a few wrong codes start the waits');
    const refused = await c.postForm('/recover/second', { code: wrongTotp(secret) });
    assert.equal(refused.status, 429, 'the page says so too');
    assert.ok(refused.body.includes(htmlText('identity.error.blocked')));
    const code = await app.code();
    const blocked = await c.api('POST', '/api/v1/recover/second/code', { code });
    assert.equal(blocked.status, 429, blocked.body);
    assert.equal(blocked.json.error.code, 'identity.blocked');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);

    // Once the wait is over the right code is accepted (the server's wait is polled out, not slept).
    const ok = await waitFor(() => c.postForm('/recover/second', { code }),
      (r) => r.status !== 429, { what: 'the end of the wait', timeoutMs: 20000 });
    assert.equal(ok.location, '/recover/password', ok.body);
    await finishRecovery(c);
    // The app still guards the account: a sign-in with the new password asks for its code.
    const next = await signInViaApi(stack.client(), owner.contact, NEW_PASSWORD);
    assert.equal(next.status, 202, next.body);
    assert.equal(next.json.challenge.channel, 'totp');
    assert.equal(await signedIn(ownerClient), false, 'the owner\'s old session ended');
  });

  test('by e-mail link with an app, through the JSON API', async () => {
    const email = uniqueEmail();
    const owner = await registerViaApi(stack, stack.client(), { contact: email });
    const ownerClient = stack.client();
    await signInViaApi(ownerClient, email, owner.password);
    const app = await enableApp(ownerClient, owner.password);

    const c = stack.client();
    const seen = new Set((await mailFor(stack.registries, email)).map((m) => m.id));
    const start = await c.api('POST', '/api/v1/recover', { contact: email });
    assert.equal(start.status, 202, start.body);
    const opened = await openRecoveryLink(c, email, seen);
    assert.equal(opened.location, '/recover/second', opened.body);

    const current = await c.api('GET', '/api/v1/recover/current');
    assert.equal(current.status, 200);
    assert.deepEqual([current.json.proven, current.json.ready, current.json.second_proof], [true, false, 'app']);
    assert.equal(current.json.challenge.channel, 'totp');
    await assertPasswordStepClosed(c, { login: email, password: owner.password });

    const wrong = await c.api('POST', '/api/v1/recover/second/code', { code: wrongTotp(app.secret) });
    assert.equal(wrong.status, 422, wrong.body);
    assert.equal(wrong.json.error.code, 'identity.wrong_code');
    const right = await c.api('POST', '/api/v1/recover/second/code', { code: await app.code() });
    assert.equal(right.status, 200, right.body);
    assert.equal(right.json.ready, true);
    const done = await c.api('POST', '/api/v1/recover/password', { password: NEW_PASSWORD, password_repeat: NEW_PASSWORD });
    assert.equal(done.status, 200, done.body);
    assert.equal(done.json.signed_in, true);
    assert.equal(await signedIn(c), true);
  });

  test('by SNILS and the security question with an app: the app\'s code is still required', async () => {
    const owner = await checkedAccount('p0001');
    const app = await enableApp(owner.client, owner.password);

    const c = stack.client();
    await c.get('/recover');
    const proven = await c.postForm('/recover/question',
      { id_kind: 'snils', id_value: owner.person.snils, question: owner.question, answer: owner.answer });
    assert.equal(proven.location, '/recover/second', proven.body);
    await assertPasswordStepClosed(c, { login: owner.contact, password: owner.password });
    const r = await c.postForm('/recover/second', { code: await app.code() });
    assert.equal(r.location, '/recover/password', r.body);
    await finishRecovery(c);
    const activity = (await c.api('GET', '/api/v1/account/activity')).json.entries;
    assert.ok(activity.some((e) => e.action === 'password_recovered' && e.details === 'question+totp'), JSON.stringify(activity));
  });

  test('with SMS two-step, recovered by that phone: the phone cannot count twice, the question is asked', async () => {
    const owner = await checkedAccount('p0002', { question: 'first_street', answer: 'Ленина' });
    await enableSms(owner.client, owner.contact, owner.password);

    const { client: c, proven } = await recoverByPhone(owner.contact);
    assert.equal(proven.location, '/recover/second', proven.body);
    const smsBefore = (await stack.sms(owner.contact)).length;
    const page = await c.get('/recover/second');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(htmlText('security.recover.second_question')));
    assert.match(page.body, /action="\/recover\/second\/question"/);
    assert.doesNotMatch(page.body, /name="code"/, 'no code field: another SMS would prove the same phone again');
    assert.equal((await stack.sms(owner.contact)).length, smsBefore, 'no second SMS to the same phone');
    assert.equal((await c.api('GET', '/api/v1/recover/current')).json.second_proof, 'question');
    // Neither a code nor the password step is a way around it.
    const code = await c.api('POST', '/api/v1/recover/second/code', { code: '123456' });
    assert.equal(code.status, 404, code.body);
    await assertPasswordStepClosed(c, owner);

    const wrong = await c.postForm('/recover/second/question',
      { id_kind: 'snils', id_value: owner.person.snils, question: owner.question, answer: 'Пушкина' });
    assert.equal(wrong.status, 401, wrong.body);
    assert.ok(wrong.body.includes(htmlText('security.error.recover_mismatch')));
    // Another person's correct SNILS and answer prove nothing about this account.
    const other = await checkedAccount('p0006', { question: 'first_street', answer: 'Ленина' });
    const foreign = await c.api('POST', '/api/v1/recover/second/question',
      { id_kind: 'snils', id_value: other.person.snils, question: 'first_street', answer: 'Ленина' });
    assert.equal(foreign.status, 401, foreign.body);

    const right = await c.postForm('/recover/second/question',
      { id_kind: 'passport', id_value: `${owner.person.passport.series} ${owner.person.passport.number}`,
        question: owner.question, answer: ' ленина ' });
    assert.equal(right.location, '/recover/password', right.body);
    await finishRecovery(c);
  });

  test('with SMS two-step, recovered by that phone and no question: only a confirmed-identity path is left', async () => {
    const owner = await newAccount(stack);
    const ownerClient = stack.client();
    await signInViaApi(ownerClient, owner.contact, owner.password);
    await enableSms(ownerClient, owner.contact, owner.password);

    const { client: c, proven } = await recoverByPhone(owner.contact);
    assert.equal(proven.location, '/recover/second');
    const page = await c.get('/recover/second');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(htmlText('security.recover.second_unavailable')));
    assert.ok(page.body.includes('href="/centres"'));
    assert.ok(page.body.includes(htmlText('security.recover.lost_bank')));
    assert.ok(page.body.includes(htmlText('security.recover.lost_signature')));
    assert.doesNotMatch(page.body, /<form method="post" action="\/recover\/second/, 'nothing to type that could finish it');
    assert.equal((await c.api('GET', '/api/v1/recover/current')).json.second_proof, 'unavailable');
    await assertPasswordStepClosed(c, owner);
  });

  test('before the first proof, an account with two-step sign-in looks like one without', async () => {
    const plain = await newAccount(stack);
    const guarded = await newAccount(stack);
    const g = stack.client();
    await signInViaApi(g, guarded.contact, guarded.password);
    await enableApp(g, guarded.password);
    const normalize = (html) => html
      .replace(/name="_csrf" value="[^"]+"/g, '')
      .replace(/data-(countdown|enable-after)="\d+"/g, '')
      .replace(/<span class="countdown">[^<]*<\/span>/g, '')
      .replace(/\+7 \d{3} \*\*\*-\*\*-\d{2}/g, '');
    const pages = [];
    for (const account of [plain, guarded]) {
      const c = stack.client();
      await c.get('/recover');
      const r = await c.postForm('/recover', { contact: account.contact });
      const code = await c.get('/recover/code');
      const wrong = await c.postForm('/recover/code', { code: '000000' });
      pages.push({ status: r.status, location: r.location, code: normalize(code.body), wrong: normalize(wrong.body), wrongStatus: wrong.status });
    }
    assert.deepEqual(pages[1], pages[0]);
  });
});

// ---- a stolen session -----------------------------------------------------------------------------

describe('changing two-step sign-in from a stolen session', () => {
  test('an app cannot be set up or two-step switched off without the password and the app\'s code', async () => {
    const email = uniqueEmail();
    const owner = await registerViaApi(stack, stack.client(), { contact: email });
    const ownerClient = stack.client();
    await signInViaApi(ownerClient, email, owner.password);
    const app = await enableApp(ownerClient, owner.password);
    // The thief's session: signed in, with the cookie and the CSRF token it needs.
    const thief = await signInWithCode(email, owner.password, () => app.code());

    let r = await thief.api('POST', '/api/v1/account/security/two-factor/app');
    assert.equal(r.status, 403, r.body);
    assert.equal(r.json.error.code, 'identity.reauth_required');
    r = await thief.get('/account/security/two-factor/app');
    assert.equal(r.status, 303);
    assert.match(r.location, /^\/account\/security\/two-factor/);
    r = await thief.api('POST', '/api/v1/account/security/two-factor/off', { password: owner.password });
    assert.equal(r.status, 403, 'the password in the request is not a re-authentication');
    r = await thief.api('POST', '/api/v1/account/security/two-factor/reauth', { password: 'не тот пароль' });
    assert.equal(r.status, 422, r.body);
    assert.equal(r.json.error.fields.password.code, 'wrong_current');
    // The password alone is not enough while the app is on.
    r = await thief.api('POST', '/api/v1/account/security/two-factor/reauth', { password: owner.password });
    assert.equal(r.status, 202, r.body);
    assert.equal(r.json.challenge.channel, 'totp');
    for (const path of ['/api/v1/account/security/two-factor/app', '/api/v1/account/security/two-factor/off',
      '/api/v1/account/security/two-factor/sms']) {
      const refused = await thief.api('POST', path);
      assert.equal(refused.status, 403, `${path}: ${refused.body}`);
    }
    r = await thief.api('POST', '/api/v1/account/security/two-factor/reauth/code', { code: wrongTotp(app.secret) });
    assert.equal(r.status, 422, r.body);
    assert.equal((await ownerClient.api('GET', '/api/v1/account/security')).json.two_factor, 'totp', 'nothing changed');

    // With the app's current code (the one who has the phone) the change goes through.
    r = await thief.api('POST', '/api/v1/account/security/two-factor/reauth/code', { code: await app.code() });
    assert.equal(r.status, 200, r.body);
    const before = await noticesOf(thief);
    const oldSid = thief.sid;
    const oldCsrf = thief.csrf;
    const off = await thief.api('POST', '/api/v1/account/security/two-factor/off');
    assert.equal(off.status, 200, off.body);
    assert.equal(off.json.two_factor, 'off');
    assert.ok(off.cookie, 'a new session cookie');
    assert.notEqual(thief.sid, oldSid, 'this session\'s token changed');
    assert.ok(off.json.csrf_token);
    assert.equal(await signedIn(thief), true, 'this browser stays signed in with the new token');
    const stale = stack.client();
    stale.cookies.set('sid', oldSid);
    assert.equal(await signedIn(stale), false, 'the old token opens nothing');
    assert.equal(await signedIn(ownerClient), false, 'every other session ended');
    assert.equal(before.email, email);
    await awaitNotices(before);  // the owner hears of it by e-mail (the account has no phone)
    // The CSRF token changed with the session: the old one no longer passes.
    assert.notEqual(off.json.csrf_token, oldCsrf);
    const csrfOld = await thief.api('POST', '/api/v1/account/security/two-factor/reauth', { password: owner.password },
      { csrf: oldCsrf });
    assert.equal(csrfOld.status, 403);
    assert.equal(csrfOld.json.error.code, 'csrf.invalid');
    const activity = (await thief.api('GET', '/api/v1/account/activity')).json.entries;
    assert.ok(activity.some((e) => e.action === 'two_factor_off' && e.details === 'totp'));
  });

  test('switching SMS to an app needs an SMS code to the phone; the pages without JavaScript too', async () => {
    const owner = await newAccount(stack);
    const ownerClient = stack.client();
    await signInViaApi(ownerClient, owner.contact, owner.password);
    // Starting SMS two-step needs the password first.
    let r = await ownerClient.api('POST', '/api/v1/account/security/two-factor/sms');
    assert.equal(r.status, 403, r.body);
    await enableSms(ownerClient, owner.contact, owner.password);
    let seen = await seenSms(owner.contact);
    const thief = await signInWithCode(owner.contact, owner.password, () => stack.nextSmsCode(owner.contact, seen));

    // The pages: the settings show only the re-authentication form until it is done.
    let page = await thief.get('/account/security/two-factor');
    assert.equal(page.status, 200);
    assert.match(page.body, /action="\/account\/security\/two-factor\/reauth"/);
    assert.doesNotMatch(page.body, /action="\/account\/security\/two-factor\/off"/);
    assert.doesNotMatch(page.body, /href="\/account\/security\/two-factor\/app"/);
    r = await thief.postForm('/account/security/two-factor/off');
    assert.equal(r.status, 403, r.body);
    assert.ok(r.body.includes(htmlText('security.error.reauth_required')));
    seen = await seenSms(owner.contact);
    r = await thief.postForm('/account/security/two-factor/reauth', { password: owner.password });
    assert.equal(r.location, '/account/security/two-factor/reauth/code', r.body);
    page = await thief.get(r.location);
    assert.equal(page.status, 200);
    const code = await stack.nextSmsCode(owner.contact, seen);
    const sms = (await stack.sms(owner.contact))[0].text;
    assert.match(sms, /изменения входа с подтверждением/, 'the SMS says what the code is for');
    r = await thief.postForm('/account/security/two-factor/reauth/code', { code: code === '000000' ? '111111' : '000000' });
    assert.equal(r.status, 422, 'a wrong code');
    r = await thief.postForm('/account/security/two-factor/reauth/code', { code });
    assert.equal(r.location, '/account/security/two-factor', r.body);
    page = await thief.get('/account/security/two-factor');
    assert.match(page.body, /href="\/account\/security\/two-factor\/app"/);
    page = await thief.get('/account/security/two-factor/app');
    assert.equal(page.status, 200);
    const key = page.body.match(/<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)<\/code>/)[1];
    const app = authenticator(base32Decode(key));
    const before = await noticesOf(thief);
    const oldSid = thief.sid;
    r = await thief.postForm('/account/security/two-factor/app', { code: await app.code() });
    assert.equal(r.location, '/account/security?done=two_factor_on', r.body);
    assert.ok(r.cookie && thief.sid !== oldSid, 'a new session token');
    assert.equal(await signedIn(thief), true);
    assert.equal(await signedIn(ownerClient), false, 'the owner\'s session ended');
    assert.equal(before.phone, owner.contact);
    await awaitNotices(before);  // the owner hears of it by SMS
    assert.equal((await thief.api('GET', '/api/v1/account/security')).json.two_factor, 'totp');
  });
});
