// Bad input on every field of registration and sign-in, on the pages and
// their JSON twins: wrong formats, empty and blank values, 10 KB values,
// hostile strings (markup, SQL, NUL bytes, invalid UTF-8, emoji, RTL marks)
// and JSON bodies of the wrong shape. The answer is always a field message on
// the page (422, the value shown back escaped) or a JSON error with a stable
// code — never a 500 — and nothing broken is stored: no account appears from
// a refused request, and registering and signing in still work afterwards.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startIdentityStack, uniquePhone, uniqueEmail, strongPassword, text, htmlText, escapeHtml, newAccount,
} from '../support/identity.mjs';

let stack;
before(async () => { stack = await startIdentityStack(); });
after(async () => { await stack?.stop(); });

const accountCount = () => Number(stack.scalar('SELECT COUNT(*) FROM identity_accounts'));

// A NUL byte in a form or a URL is refused by the HTTP layer before any
// handler (http/request.cpp): a plain 400 page in the user's language. In a
// JSON string (\u0000) it reaches the field checks like any other character.
const isNul = (v) => typeof v === 'string' && v.includes('\u0000');
function assertNulRefused(res, what) {
  assert.equal(res.status, 400, what);
  assert.ok(res.body.includes(htmlText('errors.400.text')), `${what}: the bad-request page`);
}

// Values that are not strings in JavaScript carry their bytes: { raw: '%FF…' } is
// sent as is in a form and as those bytes inside a JSON string.
const INVALID_UTF8 = { raw: '%FF%FE%C3%28', bytes: Buffer.from([0xff, 0xfe, 0xc3, 0x28]) };
const HOSTILE = [
  ['markup', '<script>alert(1)</script>'],
  ['SQL', "' OR 1=1 --"],
  ['SQL drop', '"; DROP TABLE identity_accounts; --'],
  ['NUL bytes', 'Ан\u0000на\u0000'],
  ['invalid UTF-8', INVALID_UTF8],
  ['emoji', '😀🙂'],
  ['RTL marks', '\u202Eанна\u200F'],
  ['10 KB', 'ж'.repeat(5120)],
  ['empty', ''],
  ['blank', '   '],
];

const encode = (v) => (typeof v === 'object' ? v.raw : encodeURIComponent(v));
// A form body with the client's CSRF token and the fields as given (raw bytes allowed).
function formBody(c, fields) {
  return [['_csrf', c.csrf], ...Object.entries(fields)].map(([k, v]) => `${k}=${encode(v)}`).join('&');
}
const postForm = (c, target, fields) => c.request('POST', target, { body: formBody(c, fields), contentType: 'application/x-www-form-urlencoded' });
// A JSON body as bytes: strings are JSON-encoded, raw values spliced in as their bytes.
function jsonBody(fields) {
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`${JSON.stringify(k)}:`));
    parts.push(typeof v === 'object' && v !== null && v.bytes ? Buffer.concat([Buffer.from('"'), v.bytes, Buffer.from('"')]) : Buffer.from(JSON.stringify(v)));
    parts.push(Buffer.from(','));
  }
  if (parts.length) parts.pop();
  return Buffer.concat([Buffer.from('{'), ...parts, Buffer.from('}')]);
}
const postJson = (c, target, fields, opts) => c.api('POST', target, undefined, { rawBody: jsonBody(fields), ...opts });

// Every page answer: no server error, a whole page, nothing hostile executed.
function assertSafePage(res, what) {
  assert.notEqual(res.status, 500, what);
  assert.match(res.headers.get('content-type') || '', /^text\/html/, what);
  assert.ok(res.body.includes('</html>'), `${what}: a whole page`);
  assert.ok(!res.body.includes('<script>alert(1)'), `${what}: markup is never echoed raw`);
  assert.ok(!/DROP TABLE/.test(res.body) || res.body.includes('&quot;; DROP TABLE'), `${what}: shown back escaped only`);
}
function assertFieldError(res, field, what, { summary = true } = {}) {
  assert.equal(res.status, 422, `${what}: ${res.status} ${res.body.slice(0, 300)}`);
  assert.match(res.body, new RegExp(`<p class="field-error" id="${field}-error">[^<]+</p>`), `${what}: a message at the field`);
  assert.match(res.body, new RegExp(`id="${field}"[^>]*aria-invalid="true"`), `${what}: the field is marked`);
  if (summary) assert.ok(res.body.includes(`<a href="#${field}">`), `${what}: listed in the error summary`);
}
// The value as the page shows it back in value="…": its first `bytes` bytes, escaped.
function shownBack(value, bytes) {
  const cut = Buffer.from(value).subarray(0, bytes).toString('utf8');
  return escapeHtml(cut);
}

describe('the registration form', () => {
  const valid = () => ({ surname: 'Иванова', name: 'Анна', contact: uniquePhone() });

  for (const field of ['surname', 'name', 'contact']) {
    for (const [label, value] of HOSTILE) {
      test(`${field}: ${label}`, async () => {
        const before = accountCount();
        const fields = { ...valid(), [field]: value };
        const c = stack.client();
        await c.get('/signup');
        const res = await postForm(c, '/signup', fields);
        assertSafePage(res, `${field} ${label}`);
        if (isNul(value)) assertNulRefused(res, `${field} ${label}`);
        else assertFieldError(res, field, `${field} ${label}`);
        if (label === 'markup') assert.match(res.body, new RegExp(`id="${field}" name="${field}" value="&lt;script&gt;alert\\(1\\)&lt;/script&gt;"`));
        if (label === 'SQL') assert.ok(res.body.includes(`value="${escapeHtml("' OR 1=1 --")}"`));
        if (typeof value === 'string' && value.trim() && !isNul(value)) {
          assert.ok(res.body.includes(`value="${shownBack(value, field === 'contact' ? 300 : 200)}"`), 'the value is shown back to be corrected');
        }
        assert.equal((await c.get('/signup/code')).location, '/signup', 'nothing started');

        const api = await postJson(stack.client(), '/api/v1/identity/registrations', fields);
        if (value === INVALID_UTF8) {
          assert.equal(api.status, 400, api.body);
          assert.equal(api.json.error.code, 'http.bad_request');
        } else {
          assert.equal(api.status, 422, api.body);
          assert.equal(api.json.error.code, 'identity.invalid');
          assert.equal(typeof api.json.error.fields[field].code, 'string');
          assert.ok(api.json.error.fields[field].message.length > 0);
        }
        assert.equal(accountCount(), before);
      });
    }
  }

  test('wrong formats of the contact get the validator\'s message', async () => {
    const wrong = ['12345', '+7 495 123-45-67', '+7 999', '8-800-100-70-10', 'a@', '@example.org',
      'user@@example.org', 'user@exa mple.org', 'user@example', 'ivanova@example.org.', 'тест@'];
    for (const contact of wrong) {
      const c = stack.client();
      await c.get('/signup');
      const res = await postForm(c, '/signup', { surname: 'Иванова', name: 'Анна', contact });
      assertSafePage(res, contact);
      assertFieldError(res, 'contact', contact);
      const api = await postJson(stack.client(), '/api/v1/identity/registrations', { surname: 'Иванова', name: 'Анна', contact });
      assert.equal(api.status, 422, contact);
      assert.ok(api.json.error.fields.contact, contact);
      const shown = res.body.match(/<p class="field-error" id="contact-error">([^<]+)<\/p>/)[1];
      assert.equal(shown, escapeHtml(api.json.error.fields.contact.message), 'the page and the API say the same');
    }
  });

  test('names: too long, digits, and the characters real names have', async () => {
    const c = stack.client();
    await c.get('/signup');
    const long = await postForm(c, '/signup', { surname: 'а'.repeat(61), name: 'Анна', contact: uniquePhone() });
    assertFieldError(long, 'surname', 'too long');
    assert.ok(long.body.includes(htmlText('identity.error.name_too_long')));
    const digits = await postForm(c, '/signup', { surname: 'Иванова2', name: 'Анна', contact: uniquePhone() });
    assertFieldError(digits, 'surname', 'digits');
    assert.ok(digits.body.includes(htmlText('identity.error.name_chars')));
    // Hyphens, apostrophes and other alphabets are names, not errors.
    const fine = await postForm(c, '/signup', { surname: "Римский-Корсаков д'Артаньян", name: 'Zoë', contact: uniquePhone() });
    assert.equal(fine.status, 303, fine.body);
  });

  test('a JSON body that is not an object, or has fields of the wrong type', async () => {
    const bodies = ['[]', '"surname"', '42', 'null', '{', 'not json', '{"surname": {"a": 1}, "name": "Анна", "contact": "+79161234567"}',
      '{"surname": "Иванова", "name": "Анна", "contact": ["+79161234567"]}'];
    for (const raw of bodies) {
      const res = await stack.client().api('POST', '/api/v1/identity/registrations', undefined, { rawBody: raw });
      assert.equal(res.status, 400, `${raw}: ${res.body}`);
      assert.equal(res.json.error.code, 'http.bad_request');
    }
  });

  // Only yes/no fields ("remember") take a JSON boolean; a name never does.
  test('a boolean where a name is expected is refused', async () => {
    const res = await stack.client().api('POST', '/api/v1/identity/registrations', { surname: 'Иванова', name: true, contact: uniquePhone() });
    assert.ok(res.status === 400 || res.status === 422, `${res.status} ${res.body}`);
  });
});

describe('the code form', () => {
  // What a hostile value is to the code check: no digits (or too long) is a
  // format error that costs no try; digits in it make a wrong code.
  const costsATry = (v) => typeof v === 'string' && Buffer.byteLength(v) <= 32 && v.replace(/\D/g, '').length === 6;

  async function started() {
    const c = stack.client();
    const phone = uniquePhone();
    const r = await c.api('POST', '/api/v1/identity/registrations', { surname: 'Иванова', name: 'Анна', contact: phone });
    assert.equal(r.status, 201, r.body);
    await c.get('/signup/code');
    return { c, phone };
  }

  test('page: every hostile value gets a message; only digits cost a try; the real code still works', async () => {
    const { c, phone } = await started();
    let tries = 3;
    for (const [label, value] of HOSTILE) {
      const res = await postForm(c, '/signup/code', { code: value });
      assertSafePage(res, label);
      if (isNul(value)) {
        assertNulRefused(res, label);
        continue;
      }
      // (The one-field code page has no error summary: the message sits at the field.)
      assertFieldError(res, 'code', label, { summary: false });
      const expected = costsATry(value) ? 'wrong_code' : 'code_format';
      assert.ok(res.body.includes(`id="code-error">${htmlText(`identity.error.${expected}`)}<`), `${label}: ${expected}`);
      if (costsATry(value)) tries -= 1;
      assert.doesNotMatch(res.body, /id="code"[^>]*value=/, 'the typed code is never shown back');
      assert.ok(res.body.includes(`${htmlText('identity.code.tries_left')} ${tries}<`), `${label}: ${tries} tries left`);
    }
    assert.ok(tries >= 1);
    const code = await stack.nextSmsCode(phone);
    const ok = await c.postForm('/signup/code', { code });
    assert.equal(ok.status, 303, ok.body);
  });

  test('API: the same, with stable codes', async () => {
    const { c, phone } = await started();
    let tries = 3;
    for (const [label, value] of HOSTILE) {
      const res = await postJson(c, '/api/v1/identity/registrations/current/code', { code: value });
      if (value === INVALID_UTF8) {
        assert.equal(res.status, 400, label);
        assert.equal(res.json.error.code, 'http.bad_request');
        continue;
      }
      assert.equal(res.status, 422, `${label}: ${res.body}`);
      if (costsATry(value)) {
        tries -= 1;
        assert.equal(res.json.error.code, 'identity.wrong_code', label);
      } else {
        assert.equal(res.json.error.code, 'identity.invalid', label);
        assert.equal(res.json.error.fields.code.code, 'code_format', label);
      }
      assert.equal(res.json.challenge.tries_left, tries, label);
    }
    for (const raw of ['[]', '{"code": true}', '{"code": null}', '{"code": {"x": 1}}', '{"code": [1,2,3,4,5,6]}']) {
      const res = await c.api('POST', '/api/v1/identity/registrations/current/code', undefined, { rawBody: raw });
      assert.ok(res.status === 400 || res.status === 422, `${raw}: ${res.status}`);
      assert.ok(res.json.error.code, raw);
    }
    const state = await c.api('GET', '/api/v1/identity/registrations/current');
    assert.ok(state.json.challenge.tries_left >= 1, 'the real code can still be typed');
    const code = await stack.nextSmsCode(phone);
    const ok = await c.api('POST', '/api/v1/identity/registrations/current/code', { code });
    assert.equal(ok.status, 200, ok.body);
  });

  test('without a registration in progress, a code goes back to the start', async () => {
    const c = stack.client();
    await c.get('/signup');
    const res = await postForm(c, '/signup/code', { code: '123456' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/signup');
    const api = await c.api('POST', '/api/v1/identity/registrations/current/code', { code: '123456' });
    assert.equal(api.status, 404);
    assert.equal(api.json.error.code, 'identity.no_challenge');
  });
});

describe('the password form', () => {
  // A registration whose phone is confirmed, waiting for its password.
  async function confirmed() {
    const c = stack.client();
    const phone = uniquePhone();
    assert.equal((await c.api('POST', '/api/v1/identity/registrations', { surname: 'Иванова', name: 'Анна', contact: phone })).status, 201);
    const code = await stack.nextSmsCode(phone);
    assert.equal((await c.api('POST', '/api/v1/identity/registrations/current/code', { code })).status, 200);
    await c.get('/signup/password');
    return { c, phone };
  }

  for (const [label, value] of [...HOSTILE, ['emoji and RTL in a passphrase', '🙂 тихий\u200F маяк 🌊 над гаванью']]) {
    test(`password: ${label}`, async () => {
      const before = accountCount();
      const { c, phone } = await confirmed();
      const res = await postForm(c, '/signup/password', { password: value, password_repeat: value });
      assert.notEqual(res.status, 500);
      if (isNul(value)) assertNulRefused(res, label);
      if (res.status === 303) {
        // Accepted: stored exactly, so the same bytes sign in.
        assert.equal(accountCount(), before + 1);
        const other = stack.client();
        await other.get('/signin');
        const signin = await postForm(other, '/signin', { login: phone, password: value });
        assert.equal(signin.status, 303, `${label}: the accepted password signs in`);
      } else {
        assertSafePage(res, label);
        if (!isNul(value)) assertFieldError(res, 'password', label);
        if (typeof value === 'string' && value.length > 8) assert.ok(!res.body.includes(escapeHtml(value)), 'never shown back');
        assert.equal(accountCount(), before);
        const api = await postJson(c, '/api/v1/identity/registrations/current/password', { password: value, password_repeat: value });
        if (value === INVALID_UTF8) {
          assert.equal(api.status, 400);
        } else {
          assert.equal(api.status, 422, api.body);
          assert.equal(api.json.error.code, 'identity.invalid');
          assert.match(api.json.error.fields.password.code, /^(too_short|too_long|too_weak|mismatch|contains_name|contains_contact)$/);
        }
        assert.equal(accountCount(), before);
      }
      if (['10 KB', 'empty', 'blank', 'emoji', 'RTL marks', 'invalid UTF-8'].includes(label)) {
        assert.equal(res.status, 422, `${label} is never a password`);
      }
      if (label === 'emoji and RTL in a passphrase') assert.equal(res.status, 303, 'any characters make a passphrase');
    });
  }

  test('wrong JSON shapes and types', async () => {
    const { c } = await confirmed();
    for (const raw of ['[]', 'null', '{"password": ["a"], "password_repeat": "a"}', '{"password": {"p": 1}}', '{']) {
      const res = await c.api('POST', '/api/v1/identity/registrations/current/password', undefined, { rawBody: raw });
      assert.equal(res.status, 400, raw);
      assert.equal(res.json.error.code, 'http.bad_request');
    }
    const numeric = await c.api('POST', '/api/v1/identity/registrations/current/password', { password: 12345678, password_repeat: 12345678 });
    assert.equal(numeric.status, 422);
    assert.equal(numeric.json.error.fields.password.code, 'too_weak');
  });
});

describe('the sign-in form', () => {
  let user;
  before(async () => { user = await newAccount(stack, { contact: uniqueEmail() }); });

  for (const [label, value] of HOSTILE) {
    test(`login: ${label}`, async () => {
      const c = stack.client();
      await c.get('/signin');
      const res = await postForm(c, '/signin', { login: value, password: 'some password' });
      assertSafePage(res, label);
      const blank = value === '';
      // A login of spaces is refused either way (the test below says how exactly).
      const spaces = value === '   ';
      if (isNul(value)) {
        assertNulRefused(res, label);
      } else if (spaces) {
        assert.ok([401, 422].includes(res.status), `${label}: ${res.status}`);
      } else if (blank) {
        assertFieldError(res, 'login', label);
        assert.ok(res.body.includes(htmlText('identity.error.login_required')));
      } else {
        assert.equal(res.status, 401, label);
        assert.ok(res.body.includes(htmlText('identity.error.wrong_credentials')));
        if (typeof value === 'string') assert.ok(res.body.includes(`id="login" name="login" value="${shownBack(value, 300)}"`), 'the login is shown back');
      }
      assert.equal((await c.session()).signed_in, false);
      const api = await postJson(stack.client(), '/api/v1/identity/signin', { login: value, password: 'some password' });
      if (value === INVALID_UTF8) assert.equal(api.status, 400);
      else if (spaces) assert.ok([401, 422].includes(api.status));
      else if (blank) {
        assert.equal(api.status, 422);
        assert.equal(api.json.error.fields.login.code, 'login_required');
      } else {
        assert.equal(api.status, 401, api.body);
        assert.equal(api.json.error.code, 'identity.wrong_credentials');
      }
    });

    test(`password: ${label}`, async () => {
      const c = stack.client();
      await c.get('/signin');
      const login = uniqueEmail();  // a login of its own, so the waits of one case do not reach the next
      const res = await postForm(c, '/signin', { login, password: value });
      assertSafePage(res, label);
      if (isNul(value)) {
        assertNulRefused(res, label);
      } else if (value === '') {
        assertFieldError(res, 'password', label);
        assert.ok(res.body.includes(htmlText('identity.error.password_required')));
      } else {
        assert.equal(res.status, 401, label);
      }
      assert.doesNotMatch(res.body, /id="password"[^>]*value=/, 'a password is never shown back');
      const api = await postJson(stack.client(), '/api/v1/identity/signin', { login, password: value });
      assert.equal(api.status, value === INVALID_UTF8 ? 400 : value === '' ? 422 : 401, `${label}: ${api.body}`);
    });
  }

  test('the JSON twin refuses bodies of the wrong shape, and "remember" of any type is only a flag', async () => {
    for (const raw of ['[]', '1', 'null', '{"login": ["a"], "password": "b"}', '{"login": "a", "password": {"x": 1}}', '{"login"']) {
      const res = await stack.client().api('POST', '/api/v1/identity/signin', undefined, { rawBody: raw });
      assert.equal(res.status, 400, raw);
      assert.equal(res.json.error.code, 'http.bad_request');
    }
    for (const remember of ['yes', 1, 'on', true, 'no', 0, null]) {
      const c = stack.client();
      const res = await c.api('POST', '/api/v1/identity/signin', { login: user.contact, password: user.password, remember });
      assert.equal(res.status, 200, `remember=${JSON.stringify(remember)}: ${res.body}`);
    }
  });

  // A value of nothing but spaces is "not filled in", not a failed sign-in or a bad name.
  test('a login or a name of spaces counts as not filled in', async () => {
    const c = stack.client();
    await c.get('/signin');
    const login = await c.postForm('/signin', { login: '   ', password: 'x' });
    assert.equal(login.status, 422);
    assert.ok(login.body.includes(htmlText('identity.error.login_required')));
    const d = stack.client();
    await d.get('/signup');
    const name = await d.postForm('/signup', { surname: '   ', name: 'Анна', contact: uniquePhone() });
    assert.equal(name.status, 422);
    assert.ok(name.body.includes(`id="surname-error">${htmlText('identity.error.name_required')}<`));
  });

  test('the real account is untouched by all of it and still signs in', async () => {
    const c = stack.client();
    const res = await c.api('POST', '/api/v1/identity/signin', { login: user.contact, password: user.password });
    assert.equal(res.status, 200, res.body);
  });
});

describe('CSRF', () => {
  const forms = ['/signup', '/signup/code', '/signup/resend', '/signup/password', '/signin', '/signin/code', '/signin/resend', '/signout'];
  const apis = ['/api/v1/identity/registrations', '/api/v1/identity/registrations/current/code',
    '/api/v1/identity/registrations/current/resend', '/api/v1/identity/registrations/confirm-link',
    '/api/v1/identity/registrations/current/password', '/api/v1/identity/password-strength', '/api/v1/identity/signin',
    '/api/v1/identity/signin/code', '/api/v1/identity/signin/resend', '/api/v1/identity/signout'];

  test('a form posted without the token, with a wrong one, or with no session at all is refused with 403', async () => {
    const before = accountCount();
    const c = stack.client();
    await c.get('/signup');
    const fields = { surname: 'Иванова', name: 'Анна', contact: uniquePhone(), login: 'x', password: 'y', code: '123456' };
    for (const target of forms) {
      const none = await c.postForm(target, fields, { csrf: null });
      assert.equal(none.status, 403, `${target} without a token`);
      assert.ok(none.body.includes(htmlText('errors.csrf.text')), target);
      const wrong = await c.postForm(target, fields, { csrf: 'A'.repeat(43) });
      assert.equal(wrong.status, 403, `${target} with a wrong token`);
      const stranger = stack.client();
      const cookieless = await stranger.postForm(target, fields, { csrf: c.csrf });
      assert.equal(cookieless.status, 403, `${target} without a session`);
    }
    assert.equal((await c.get('/signup/code')).location, '/signup', 'no registration started');
    assert.equal(accountCount(), before);
  });

  test('the API without X-CSRF-Token answers 403 csrf.invalid', async () => {
    const c = stack.client();
    await c.session();
    for (const target of apis) {
      const none = await c.api('POST', target, { surname: 'Иванова', name: 'Анна', contact: uniquePhone() }, { csrf: null });
      assert.equal(none.status, 403, target);
      assert.equal(none.json.error.code, 'csrf.invalid', target);
      assert.equal(none.json.error.message, text('errors.csrf.text'));
      const wrong = await c.api('POST', target, {}, { csrf: c.csrf.slice(0, -1) + (c.csrf.endsWith('A') ? 'B' : 'A') });
      assert.equal(wrong.status, 403, target);
      assert.equal(wrong.json.error.code, 'csrf.invalid');
    }
    const foreign = await c.api('POST', '/api/v1/identity/password-strength', { password: 'x' }, { headers: { Origin: 'http://evil.example' } });
    assert.equal(foreign.status, 403, 'a foreign Origin is refused even with the right token');
  });
});

describe('afterwards', () => {
  test('the phones and addresses of refused requests are still free, and a normal registration and sign-in work', async () => {
    const before = accountCount();
    const email = uniqueEmail();
    const c = stack.client();
    await c.get('/signup');
    // Refused for the name, then accepted with the same address: no half-made account was in the way.
    const refused = await c.postForm('/signup', { surname: '<b>Иванова</b>', name: 'Анна', contact: email });
    assert.equal(refused.status, 422);
    const accepted = await c.postForm('/signup', { surname: 'Иванова', name: 'Анна', contact: email });
    assert.equal(accepted.status, 303, accepted.body);
    const link = new URL(await stack.nextEmailLink(email));
    assert.equal((await c.get(link.pathname + link.search)).status, 200);
    assert.equal((await c.postForm(link.pathname, { token: link.searchParams.get('token') })).status, 303);
    const password = strongPassword();
    const done = await c.postForm('/signup/password', { password, password_repeat: password });
    assert.equal(done.status, 303, done.body);
    assert.equal(accountCount(), before + 1);
    const account = await c.api('GET', '/api/v1/account');
    assert.equal(account.json.surname, 'Иванова');
    assert.equal(account.json.email, email);
    const other = stack.client();
    assert.equal((await other.api('POST', '/api/v1/identity/signin', { login: email, password })).status, 200);
    assert.equal(Number(stack.scalar("SELECT COUNT(*) FROM identity_accounts WHERE status <> 'active'")), 0);
  });
});
