// Registration (SPEC ID-1) as a person and as an API client do it, against a
// real portal, the registries sandbox (SMS gateway) and a real SMTP sink: by
// phone with the SMS code, by e-mail with the link (also opened in another
// browser), the password rules, the limits on codes and sends, and links
// that do not work. Redirects are followed by hand; codes and links are read
// where a person would find them (the sandbox's SMS list, the mailbox).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root, waitFor } from '../support/server.mjs';
import {
  startIdentityStack, uniquePhone, uniqueEmail, typedPhone, strongPassword, text, htmlText, escapeHtml,
  registerViaApi, mailFor,
} from '../support/identity.mjs';

let stack;
before(async () => { stack = await startIdentityStack(); });
after(async () => { await stack?.stop(); });

// "+7 926 ***-**-28": the masked phone the code page shows.
const masked = (phone) => `${phone.slice(0, 2)} ${phone.slice(2, 5)} ***-**-${phone.slice(-2)}`;
const fieldError = (html, field) => {
  const m = html.match(new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`));
  return m ? m[1] : null;
};
const accountCount = () => Number(stack.scalar('SELECT COUNT(*) FROM identity_accounts'));

// Starts a registration by phone through the pages; returns the client and the phone.
async function startByPhone({ phone = uniquePhone(), surname = 'Соколова', name = 'Дарья' } = {}) {
  const c = stack.client();
  assert.equal((await c.get('/signup')).status, 200);
  const res = await c.postForm('/signup', { surname, name, contact: typedPhone(phone) });
  assert.equal(res.status, 303, res.body);
  assert.equal(res.location, '/signup/code');
  return { c, phone };
}

describe('registration by phone through the pages', () => {
  test('SMS code, password, and a simplified account named in the header with a sign-out button', async () => {
    const c = stack.client();
    const before = accountCount();
    const form = await c.get('/signup');
    assert.equal(form.status, 200);
    assert.ok(c.csrf, 'the form carries a CSRF token');
    assert.equal(c.sid, null, 'showing the form stores no session');

    const phone = uniquePhone();
    const started = await c.postForm('/signup', { surname: 'Соколова', name: 'Дарья', contact: typedPhone(phone) });
    assert.equal(started.status, 303);
    assert.equal(started.location, '/signup/code');
    const anonymous = c.sid;
    assert.ok(anonymous, 'the registration in progress is kept in a session');

    const codePage = await c.get('/signup/code');
    assert.equal(codePage.status, 200);
    assert.ok(codePage.body.includes(masked(phone)), 'the page names the masked phone');
    assert.ok(!codePage.body.includes(phone), 'the full number is not shown');
    assert.match(codePage.body, new RegExp(`${htmlText('identity.code.tries_left')} 3<`));

    // The password step is closed until the phone is confirmed.
    const early = await c.get('/signup/password');
    assert.equal(early.status, 303);
    assert.equal(early.location, '/signup/code');

    const code = await stack.nextSmsCode(phone);
    const [sms] = await stack.sms(phone);
    assert.equal(sms.text, text('notifications.account.registration_code.sms').replace('{{code}}', code));

    const confirmed = await c.postForm('/signup/code', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    assert.equal(confirmed.status, 303, 'a code typed with a space is accepted: ' + confirmed.body);
    assert.equal(confirmed.location, '/signup/password');
    assert.equal((await c.get('/signup/code')).location, '/signup/password', 'the code step is behind');

    const pwPage = await c.get('/signup/password');
    assert.equal(pwPage.status, 200);
    assert.equal(accountCount(), before, 'no account before the password');

    const password = strongPassword();
    const done = await c.postForm('/signup/password', { password, password_repeat: password });
    assert.equal(done.status, 303, done.body);
    assert.equal(done.location, '/account?welcome=1');
    assert.ok(c.sid && c.sid !== anonymous, 'signing in gave the browser a new session token');
    assert.equal(done.cookie.attrs['max-age'], undefined, 'no "remember me" at registration: a browser-session cookie');

    const account = await c.get(done.location);
    assert.equal(account.status, 200);
    assert.match(account.body, /<h1 id="account-title">Дарья Соколова<\/h1>/);
    assert.ok(account.body.includes(htmlText('identity.account.welcome')));
    assert.match(account.body, /<a class="account-name" href="\/account">Дарья Соколова<\/a>/, 'the header names the user');
    assert.match(account.body, new RegExp(`<a class="account-level level-simplified" href="/account/level">${text('identity.level.simplified')}</a>`));
    assert.match(account.body, /<form method="post" action="\/signout" class="signout-form"><input type="hidden" name="_csrf" value="[^"]+"><button type="submit"[^>]*>/,
      'a sign-out button next to the name');
    assert.ok(account.body.includes(`>${text('layout.signout')}</button>`));
    assert.ok(!account.body.includes('href="/signin"'), 'no "sign in" link for a signed-in user');

    const api = await c.api('GET', '/api/v1/account');
    assert.equal(api.status, 200);
    assert.equal(api.json.level, 'simplified');
    assert.equal(api.json.name, 'Дарья Соколова');
    assert.equal(api.json.surname, 'Соколова');
    assert.equal(api.json.first_name, 'Дарья');
    assert.equal(api.json.phone, phone, 'stored in E.164 whatever way it was typed');
    assert.equal(api.json.email, null);
    assert.equal(accountCount(), before + 1);

    // The finished registration is gone: the steps lead back to the start or the account.
    assert.equal((await c.get('/signup')).location, '/account');
    assert.equal((await c.api('GET', '/api/v1/identity/registrations/current')).status, 404);
  });

  test('the password page lets a password manager paste: no paste, copy or drop blockers', async () => {
    const { c, phone } = await startByPhone();
    const code = await stack.nextSmsCode(phone);
    assert.equal((await c.postForm('/signup/code', { code })).status, 303);
    const page = await c.get('/signup/password');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.body, /\son(paste|copy|cut|drop|contextmenu|keydown|keypress)\s*=/i);
    assert.doesNotMatch(page.body, /autocomplete="off"/);
    assert.match(page.body, /<input type="password" id="password" name="password" autocomplete="new-password"/);
    assert.match(page.body, /<input type="password" id="password_repeat" name="password_repeat" autocomplete="new-password"/);
    const js = readFileSync(path.join(root, 'static/js/app.js'), 'utf8');
    assert.doesNotMatch(js, /['"](paste|copy|cut|drop)['"]|onpaste|preventDefault/, 'the script blocks nothing');
  });
});

describe('registration by e-mail', () => {
  test('the link in the mail, opened in another browser, continues the registration there', async () => {
    const first = stack.client();
    const email = uniqueEmail();
    await first.get('/signup');
    const started = await first.postForm('/signup', { surname: 'Кузнецов', name: 'Пётр', contact: email.replace('example.org', 'EXAMPLE.org') });
    assert.equal(started.status, 303, started.body);
    const page = await first.get('/signup/code');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(htmlText('identity.signup_code.title_email')));
    assert.ok(page.body.includes(`${email.slice(0, 2)}***@example.org`), 'the masked address');
    assert.ok(!page.body.includes('name="code"'), 'no code field for an e-mail');

    const link = await stack.nextEmailLink(email);
    const [mail] = await mailFor(stack.registries, email);
    assert.equal(mail.subject, text('notifications.account.confirm_email.subject'));
    assert.ok(mail.body.includes(link));
    const url = new URL(link);
    assert.equal(url.origin, new URL(stack.url).origin, 'the link points at the portal itself');
    assert.equal(url.pathname, '/signup/confirm');

    // The phone's browser, with no session of its own yet.
    const second = stack.client();
    // Opening the link only shows what it would confirm (a mail scanner that
    // follows links confirms nothing); the button does it.
    const opened = await second.get(url.pathname + url.search);
    assert.equal(opened.status, 200, opened.body);
    assert.ok(opened.body.includes(htmlText('identity.link_confirm.register_title')));
    assert.ok(opened.body.includes(`${email.slice(0, 2)}***@example.org`), 'the page names the address');
    assert.equal(second.sid, null, 'opening the link stores no session');
    const before = await second.get('/signup/password');
    assert.equal(before.status, 303, 'nothing is confirmed before the button is pressed');
    const pressed = await second.postForm('/signup/confirm', { token: url.searchParams.get('token') });
    assert.equal(pressed.status, 303, pressed.body);
    assert.equal(pressed.location, '/signup/password');
    assert.ok(second.sid, 'the button gave the other browser a session');
    const pw = await second.get('/signup/password');
    assert.equal(pw.status, 200);

    // The registration moved: the first browser is no longer in the middle of it.
    const left = await first.get('/signup/password');
    assert.equal(left.status, 303);
    assert.equal(left.location, '/signup');

    const password = strongPassword();
    const done = await second.postForm('/signup/password', { password, password_repeat: password });
    assert.equal(done.status, 303, done.body);
    const account = await second.api('GET', '/api/v1/account');
    assert.equal(account.json.email, email, 'the domain is stored in lower case');
    assert.equal(account.json.phone, null);
    assert.equal(account.json.level, 'simplified');
    assert.equal(account.json.name, 'Пётр Кузнецов');

    // Used once: a second opening, in either browser, is a clear "not valid" page.
    for (const c of [second, first, stack.client()]) {
      const again = await c.get(url.pathname + url.search);
      assert.equal(again.status, 404);
      assert.ok(again.body.includes(htmlText('identity.link_failed.title')));
      assert.ok(again.body.includes(htmlText('identity.error.link_invalid')));
      assert.match(again.body, /<a class="button" href="\/signup">/);
    }
  });

  test('a link with a garbage token shows the same page, never a 500', async () => {
    const tokens = ['', 'abc', 'A'.repeat(43), '<script>alert(1)</script>xxxxxxxxxxxx', "' OR 1=1 --xxxxxxxxxxxxxxxxxx",
      '%FF%FE%FD' + 'x'.repeat(30), 'x'.repeat(10000),
      '%F0%9F%98%80'.repeat(10), '%E2%80%8F'.repeat(10) + 'abc'];
    for (const token of tokens) {
      const c = stack.client();
      const res = await c.get(`/signup/confirm?token=${token}`);
      assert.equal(res.status, 404, `token ${token.slice(0, 40)}: ${res.status}`);
      assert.ok(res.body.includes(htmlText('identity.link_failed.title')));
      assert.ok(!res.body.includes('<script>alert(1)'), 'nothing of the token is echoed raw');
    }
    // A NUL byte in a URL is refused by the HTTP layer before any page: a plain 400.
    const nul = await stack.client().get('/signup/confirm?token=' + '%00'.repeat(30));
    assert.equal(nul.status, 400);
    const noToken = await stack.client().get('/signup/confirm');
    assert.equal(noToken.status, 404);
    const api = await stack.client().api('POST', '/api/v1/identity/registrations/confirm-link', { token: 'A'.repeat(43) });
    assert.equal(api.status, 404);
    assert.equal(api.json.error.code, 'identity.no_challenge');
    assert.equal(api.json.error.message, text('identity.error.link_invalid'));
  });
});

describe('registration through the JSON API', () => {
  test('by phone: challenge, code, password, signed in', async () => {
    const c = stack.client();
    const phone = uniquePhone();
    const session = await c.session();
    assert.equal(session.signed_in, false);

    const started = await c.api('POST', '/api/v1/identity/registrations', { surname: 'Волкова', name: 'Мария', contact: phone });
    assert.equal(started.status, 201, started.body);
    const ch = started.json.challenge;
    assert.equal(ch.purpose, 'register');
    assert.equal(ch.channel, 'sms');
    assert.equal(ch.destination, masked(phone));
    assert.equal(ch.confirmed, false);
    assert.ok(ch.code_expires_in > 290 && ch.code_expires_in <= 300, 'a code lives 300 s: ' + ch.code_expires_in);
    assert.ok(ch.resend_in > 0 && ch.resend_in <= 60);
    assert.equal(ch.can_resend, true);
    assert.equal(ch.tries_left, 3);

    const current = await c.api('GET', '/api/v1/identity/registrations/current');
    assert.equal(current.status, 200);
    assert.equal(current.json.challenge.destination, masked(phone));

    const password = strongPassword();
    const tooEarly = await c.api('POST', '/api/v1/identity/registrations/current/password', { password, password_repeat: password });
    assert.equal(tooEarly.status, 404, 'no password before the code');
    assert.equal(tooEarly.json.error.code, 'identity.no_challenge');

    const code = await stack.nextSmsCode(phone);
    const confirmed = await c.api('POST', '/api/v1/identity/registrations/current/code', { code });
    assert.equal(confirmed.status, 200, confirmed.body);
    assert.equal(confirmed.json.challenge.confirmed, true);

    const before = c.sid;
    const done = await c.api('POST', '/api/v1/identity/registrations/current/password', { password, password_repeat: password });
    assert.equal(done.status, 201, done.body);
    assert.equal(done.json.signed_in, true);
    assert.equal(done.json.account.name, 'Мария Волкова');
    assert.equal(done.json.account.level, 'simplified');
    assert.ok(Number.isInteger(done.json.account.id));
    assert.notEqual(c.sid, before, 'a new session token');

    const after = await c.session();
    assert.equal(after.signed_in, true);
    assert.deepEqual(after.account, done.json.account);
    const account = await c.api('GET', '/api/v1/account');
    assert.equal(account.json.id, done.json.account.id);
    assert.equal(account.json.phone, phone);

    // And the password works for signing in from elsewhere.
    const other = stack.client();
    const signin = await other.api('POST', '/api/v1/identity/signin', { login: phone, password });
    assert.equal(signin.status, 200, signin.body);
    assert.equal(signin.json.account.id, done.json.account.id);
  });

  test('by e-mail: the token from the link confirms, in a client of its own', async () => {
    const email = uniqueEmail();
    const c = stack.client();
    const started = await c.api('POST', '/api/v1/identity/registrations', { surname: 'Морозов', name: 'Дмитрий', contact: email });
    assert.equal(started.status, 201, started.body);
    assert.equal(started.json.challenge.channel, 'email');
    assert.equal(started.json.challenge.destination, `${email.slice(0, 2)}***@example.org`);

    const link = new URL(await stack.nextEmailLink(email));
    const token = link.searchParams.get('token');
    const wrong = await c.api('POST', '/api/v1/identity/registrations/confirm-link', { token: token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA') });
    assert.equal(wrong.status, 404, 'an altered token is not valid');

    const other = stack.client();
    const confirmed = await other.api('POST', '/api/v1/identity/registrations/confirm-link', { token });
    assert.equal(confirmed.status, 200, confirmed.body);
    assert.equal(confirmed.json.challenge.confirmed, true);
    assert.equal((await c.api('GET', '/api/v1/identity/registrations/current')).status, 404, 'it moved to the other client');

    const password = strongPassword();
    const done = await other.api('POST', '/api/v1/identity/registrations/current/password', { password, password_repeat: password });
    assert.equal(done.status, 201, done.body);
    assert.equal(done.json.account.name, 'Дмитрий Морозов');
    const again = await stack.client().api('POST', '/api/v1/identity/registrations/confirm-link', { token });
    assert.equal(again.status, 404, 'a link works once');
    assert.equal(again.json.error.code, 'identity.no_challenge');
  });
});

describe('a phone or e-mail that is already used', () => {
  test('is refused with a clear message that does not say whose it is, and no code is sent', async () => {
    const phone = uniquePhone(), email = uniqueEmail();
    await registerViaApi(stack, stack.client(), { surname: 'Громова', name: 'Ирина', contact: phone });
    await registerViaApi(stack, stack.client(), { surname: 'Громова', name: 'Ирина', contact: email });
    const smsBefore = (await stack.sms(phone)).length;
    const mailBefore = (await mailFor(stack.registries, email)).length;
    const accounts = accountCount();

    // The same number typed another way, and the address with its domain in capitals.
    for (const [contact, key] of [[`8 ${phone.slice(2, 5)} ${phone.slice(5)}`, 'phone_taken'], [email.replace('example.org', 'Example.ORG'), 'email_taken']]) {
      const c = stack.client();
      await c.get('/signup');
      const page = await c.postForm('/signup', { surname: 'Петров', name: 'Иван', contact });
      assert.equal(page.status, 409, page.body);
      assert.equal(fieldError(page.body, 'contact'), htmlText(`identity.error.${key}`));
      assert.match(page.body, /id="contact"[^>]*aria-invalid="true"/);
      assert.ok(page.body.includes(`href="#contact">${htmlText('flows.field.contact')}: ${htmlText(`identity.error.${key}`)}</a>`),
        'listed in the error summary, under the field\'s name');
      assert.doesNotMatch(page.body, /Громова|Ирина/, 'the owner is not named');
      assert.equal((await c.get('/signup/code')).location, '/signup', 'no registration started');

      const api = await stack.client().api('POST', '/api/v1/identity/registrations', { surname: 'Петров', name: 'Иван', contact });
      assert.equal(api.status, 409);
      assert.equal(api.json.error.code, 'identity.contact_taken');
      assert.equal(api.json.error.fields.contact.code, key);
      assert.equal(api.json.error.fields.contact.message, text(`identity.error.${key}`));
      assert.doesNotMatch(api.body, /Громова|Ирина|"id"/);
    }
    assert.equal(accountCount(), accounts);
    // (Nothing is queued for the owner: a later message would be a bug. The
    // sandbox is asked after the other registrations' messages arrived.)
    const probe = uniquePhone();
    const c = stack.client();
    await c.api('POST', '/api/v1/identity/registrations', { surname: 'Петров', name: 'Иван', contact: probe });
    await stack.nextSmsCode(probe);
    assert.equal((await stack.sms(phone)).length, smsBefore, 'no SMS went to the owner');
    assert.equal((await mailFor(stack.registries, email)).length, mailBefore, 'no e-mail went to the owner');
  });
});

describe('password rules', () => {
  test('weak, the name, the phone, a mismatch and a short one are refused; a long passphrase with spaces is taken', async () => {
    const { c, phone } = await startByPhone({ surname: 'Лебедева', name: 'Ольга' });
    const code = await stack.nextSmsCode(phone);
    assert.equal((await c.postForm('/signup/code', { code })).status, 303);
    const strong = strongPassword();
    const cases = [
      ['qwerty123', 'qwerty123', 'too_weak'],
      ['password', 'password', 'too_weak'],
      [`Лебедева ${strong}`, `Лебедева ${strong}`, 'contains_name'],
      [`olga-${strong}`.replace('olga', 'ОЛЬГА'), `olga-${strong}`.replace('olga', 'ОЛЬГА'), 'contains_name'],
      [`Маяк ${phone.slice(-7)} гавань`, `Маяк ${phone.slice(-7)} гавань`, 'contains_contact'],
      [strong, strong + 'x', 'mismatch'],
      ['Ab1!xyz', 'Ab1!xyz', 'too_short'],
      ['я'.repeat(513), 'я'.repeat(513), 'too_long'],
    ];
    for (const [password, repeat, problem] of cases) {
      const res = await c.postForm('/signup/password', { password, password_repeat: repeat });
      assert.equal(res.status, 422, `${problem}: ${res.status}`);
      assert.equal(fieldError(res.body, 'password'), htmlText(`identity.password.${problem}`), problem);
      assert.match(res.body, /id="password"[^>]*aria-invalid="true"/);
      assert.match(res.body, /aria-describedby="password-hint strength password-error"/);
      if (password.length > 8) assert.ok(!res.body.includes(escapeHtml(password)), 'the password is never shown back');
      assert.doesNotMatch(res.body, /<input type="password"[^>]*value=/);
    }
    // The API gives the same verdict with a stable code.
    const api = await c.api('POST', '/api/v1/identity/registrations/current/password', { password: 'qwerty123', password_repeat: 'qwerty123' });
    assert.equal(api.status, 422);
    assert.equal(api.json.error.code, 'identity.invalid');
    assert.equal(api.json.error.fields.password.code, 'too_weak');
    assert.equal(api.json.challenge.confirmed, true, 'the confirmed phone stays confirmed');

    const passphrase = 'в тихой гавани старый маяк светит кораблям сквозь туман и осенний дождь до утра';
    assert.ok(passphrase.length >= 64);
    const done = await c.postForm('/signup/password', { password: passphrase, password_repeat: passphrase });
    assert.equal(done.status, 303, done.body);
    const signin = await stack.client().api('POST', '/api/v1/identity/signin', { login: phone, password: passphrase });
    assert.equal(signin.status, 200, 'the passphrase is stored exactly, spaces and all');
  });

  test('the strength meter API rates with the same zxcvbn and names the level in the language', async () => {
    const c = stack.client();
    const weak = await c.api('POST', '/api/v1/identity/password-strength', { password: 'qwerty' });
    assert.equal(weak.status, 200, weak.body);
    assert.ok(weak.json.score <= 1);
    assert.equal(weak.json.acceptable, false);
    assert.equal(weak.json.label, text(`identity.strength.${weak.json.score}`));
    const strong = await c.api('POST', '/api/v1/identity/password-strength', { password: strongPassword() });
    assert.ok(strong.json.score >= 3, JSON.stringify(strong.json));
    assert.equal(strong.json.acceptable, true);
    const named = await c.api('POST', '/api/v1/identity/password-strength', { password: 'Громовазима', surname: 'Громова' });
    const unnamed = await c.api('POST', '/api/v1/identity/password-strength', { password: 'Громовазима' });
    assert.ok(named.json.score <= unnamed.json.score, 'the name makes a password weaker, never stronger');
    const en = stack.client({ lang: 'en' });
    const label = await en.api('POST', '/api/v1/identity/password-strength', { password: 'qwerty' });
    assert.equal(label.json.label, text(`identity.strength.${label.json.score}`, 'en'));
    const noCsrf = await c.api('POST', '/api/v1/identity/password-strength', { password: 'x' }, { csrf: null });
    assert.equal(noCsrf.status, 403);
  });
});

describe('SMS codes', () => {
  test('a wrong code counts, three wrong tries kill the code, and a right one is refused after', async () => {
    const { c, phone } = await startByPhone();
    const code = await stack.nextSmsCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';

    const first = await c.postForm('/signup/code', { code: wrong });
    assert.equal(first.status, 422);
    assert.equal(fieldError(first.body, 'code'), htmlText('identity.error.wrong_code'));
    assert.match(first.body, /id="code"[^>]*aria-invalid="true"/);
    assert.match(first.body, new RegExp(`${htmlText('identity.code.tries_left')} 2<`));
    assert.doesNotMatch(first.body, /id="code"[^>]*value=/, 'the typed code is not shown back');

    const api = await c.api('POST', '/api/v1/identity/registrations/current/code', { code: wrong });
    assert.equal(api.status, 422);
    assert.equal(api.json.error.code, 'identity.wrong_code');
    assert.equal(api.json.error.fields.code.code, 'wrong_code');
    assert.equal(api.json.challenge.tries_left, 1);

    // The third wrong try kills the code and starts a wait for this number.
    const third = await c.postForm('/signup/code', { code: wrong });
    assert.equal(third.status, 422);
    assert.match(third.body, new RegExp(`${htmlText('identity.code.tries_left')} 0<`));
    const state = await c.api('GET', '/api/v1/identity/registrations/current');
    assert.equal(state.json.challenge.tries_left, 0);
    assert.equal(state.json.challenge.confirmed, false);

    // The right code now: refused while the wait lasts, then refused because the code is dead.
    const during = await c.api('POST', '/api/v1/identity/registrations/current/code', { code });
    assert.equal(during.status, 429, during.body);
    assert.equal(during.json.error.code, 'identity.blocked');
    assert.ok(during.json.error.retry_after >= 1 && during.json.error.retry_after <= 2);
    assert.equal(during.headers.get('retry-after'), String(during.json.error.retry_after));
    const dead = await waitFor(() => c.api('POST', '/api/v1/identity/registrations/current/code', { code }),
      (r) => r.status !== 429, { what: 'the wait after three wrong codes to end', timeoutMs: 10000 });
    assert.equal(dead.status, 410, dead.body);
    assert.equal(dead.json.error.code, 'identity.no_tries_left');
    assert.equal(dead.json.error.message, text('identity.error.no_tries_left'));
    const page = await c.postForm('/signup/code', { code });
    assert.equal(page.status, 410);
    assert.ok(page.body.includes(htmlText('identity.error.no_tries_left')));
    assert.equal((await c.get('/signup/password')).location, '/signup/code', 'still not confirmed');
  });

  test('a new code cannot be asked for before 60 s: 429 with the time to wait', async () => {
    const { c, phone } = await startByPhone();
    await stack.nextSmsCode(phone);
    const page = await c.postForm('/signup/resend', {});
    assert.equal(page.status, 429);
    // 60 s is said as "1 min", less in seconds.
    const waits = ['seconds', 'minutes'].map((u) => escapeRe(htmlText(`identity.wait.${u}`)).replace('\\{n\\}', '(\\d+)'));
    const m = page.body.match(new RegExp(`${htmlText('identity.error.resend_too_early')} (?:${waits[0]}|${waits[1]})`));
    assert.ok(m, 'the message says how long to wait');
    assert.ok(m[1] ? Number(m[1]) > 0 && Number(m[1]) < 60 : m[2] === '1');

    const api = await c.api('POST', '/api/v1/identity/registrations/current/resend');
    assert.equal(api.status, 429);
    assert.equal(api.json.error.code, 'identity.resend_too_early');
    assert.ok(api.json.error.retry_after > 0 && api.json.error.retry_after <= 60);
    assert.equal(api.headers.get('retry-after'), String(api.json.error.retry_after));
    assert.equal((await stack.sms(phone)).length, 1, 'nothing more was sent');
    // The code page shows the countdown and keeps the button for later.
    const codePage = await c.get('/signup/code');
    assert.match(codePage.body, /data-countdown="\d+"/);
    assert.match(codePage.body, /data-enable-after="\d+"/);
  });

  test('starting over sends a new code and the old one no longer works', async () => {
    const { c, phone } = await startByPhone();
    const seen = new Set();
    const oldCode = await stack.nextSmsCode(phone, seen);
    const again = await c.postForm('/signup', { surname: 'Соколова', name: 'Дарья', contact: phone });
    assert.equal(again.status, 303);
    const newCode = await stack.nextSmsCode(phone, seen);
    if (oldCode === newCode) return assert.fail('two equal random codes (1 in a million): run again');
    const old = await c.postForm('/signup/code', { code: oldCode });
    assert.equal(old.status, 422, 'the old code died with its challenge');
    assert.equal(fieldError(old.body, 'code'), htmlText('identity.error.wrong_code'));
    const fresh = await c.postForm('/signup/code', { code: newCode });
    assert.equal(fresh.status, 303, fresh.body);
    assert.equal(fresh.location, '/signup/password');
  });

  test('one number gets at most 6 messages an hour, whoever asks', async () => {
    // The limit counts in fixed clock-hour windows (http/rate_limiter): start
    // well inside one, so all seven asks fall into the same window.
    await waitFor(() => 3600 - (Math.floor(Date.now() / 1000) % 3600), (left) => left > 20,
      { what: 'a fresh hour window', timeoutMs: 30000 });
    const phone = uniquePhone();
    const asks = [];
    for (let i = 0; i < 6; i++) {
      const c = stack.client();  // a different browser and address each time
      await c.get('/signup');
      asks.push(await c.postForm('/signup', { surname: 'Соколова', name: 'Дарья', contact: phone }));
    }
    assert.deepEqual(asks.map((r) => r.status), [303, 303, 303, 303, 303, 303]);
    const c = stack.client();
    await c.get('/signup');
    const page = await c.postForm('/signup', { surname: 'Соколова', name: 'Дарья', contact: phone });
    assert.equal(page.status, 429);
    assert.match(page.headers.get('retry-after') ?? '', /^\d+$/, 'the page says how long to wait in the header too');
    assert.ok(page.body.includes(htmlText('identity.error.too_many_sends')));
    // Until the window ends: seconds or minutes.
    const waits = ['seconds', 'minutes'].map((u) => escapeRe(htmlText(`identity.wait.${u}`)).replace('\\{n\\}', '\\d+'));
    assert.match(page.body, new RegExp(`${escapeRe(htmlText('identity.error.too_many_sends'))} (?:${waits[0]}|${waits[1]})`));
    const api = await stack.client().api('POST', '/api/v1/identity/registrations', { surname: 'Соколова', name: 'Дарья', contact: phone });
    assert.equal(api.status, 429);
    assert.equal(api.json.error.code, 'identity.blocked');
    assert.ok(api.json.error.retry_after > 0 && api.json.error.retry_after <= 3600);
    assert.equal(api.headers.get('retry-after'), String(api.json.error.retry_after));
    await waitFor(() => stack.sms(phone), (l) => l.length === 6, { what: 'six SMS' });
    assert.equal((await c.get('/signup/code')).location, '/signup', 'the refused start opened nothing');
  });
});

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
