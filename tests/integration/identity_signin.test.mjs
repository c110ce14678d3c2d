// Sign-in (SPEC ID-5, with ID-4's "what you need for this") against a real
// portal: by phone and by e-mail, "remember me" and the cookie it gives, a
// new session token at sign-in and sign-out, the brute-force waits per
// account and per address with the same answers for logins that do not
// exist, ?next= limited to local paths, and the levels in the header and on
// /access. Waits the server imposes are waited out by polling, never by sleeps.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/server.mjs';
import {
  startIdentityStack, newAccount, uniquePhone, uniqueEmail, typedPhone, text, htmlText, signInViaPage, registerViaPages, Client,
} from '../support/identity.mjs';

let stack, phoneUser, emailUser;
before(async () => {
  stack = await startIdentityStack();
  phoneUser = await newAccount(stack, { surname: 'Смирнова', name: 'Анна' });
  emailUser = await registerViaPages(stack, stack.client(), { surname: 'Кузнецов', name: 'Пётр', contact: uniqueEmail() });
});
after(async () => { await stack?.stop(); });

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// "Повторите через {n} с." as a pattern capturing n.
const waitPattern = (unit = 'seconds') => escapeRe(htmlText(`identity.wait.${unit}`)).replace('\\{n\\}', '(\\d+)');
const waitText = (n) => text('identity.wait.seconds').replace('{n}', String(n));
const signedIn = async (c) => (await c.session()).signed_in;
// A client carrying someone else's cookie, as a thief or a later visitor of the same computer would.
const withCookie = (sid) => {
  const c = stack.client();
  c.cookies.set('sid', sid);
  return c;
};
const apiSignIn = (c, login, password, extra = {}) => c.api('POST', '/api/v1/identity/signin', { login, password, ...extra });

describe('signing in', () => {
  test('by phone (typed any way) and by e-mail, through the page and the API', async () => {
    const c = stack.client();
    const res = await signInViaPage(c, `8 ${typedPhone(phoneUser.contact).slice(3)}`, phoneUser.password);
    assert.equal(res.status, 303, res.body);
    assert.equal(res.location, '/account', 'the account page is the default destination');
    const page = await c.get('/account');
    assert.equal(page.status, 200);
    assert.match(page.body, /<a class="account-name" href="\/account">Анна Смирнова<\/a>/);

    const d = stack.client();
    const byEmail = await signInViaPage(d, ` ${emailUser.contact.replace('example.org', 'EXAMPLE.ORG')} `, emailUser.password);
    assert.equal(byEmail.status, 303, byEmail.body);
    assert.equal((await d.session()).account.name, 'Пётр Кузнецов');

    const e = stack.client();
    const api = await apiSignIn(e, phoneUser.contact, phoneUser.password);
    assert.equal(api.status, 200, api.body);
    assert.deepEqual(api.json, { signed_in: true, account: { ...phoneUser.account } });
    const account = await e.api('GET', '/api/v1/account');
    assert.equal(account.json.phone, phoneUser.contact);
  });

  test('"remember me" gives a cookie for 30 days or more; without it the cookie ends with the browser', async () => {
    const remembered = stack.client();
    const yes = await signInViaPage(remembered, phoneUser.contact, phoneUser.password, { remember: true });
    assert.equal(yes.status, 303, yes.body);
    assert.ok(yes.cookie, 'a new session cookie');
    const maxAge = Number(yes.cookie.attrs['max-age']);
    assert.ok(maxAge >= 30 * 24 * 3600, `Max-Age ${yes.cookie.attrs['max-age']}`);
    assert.equal(yes.cookie.attrs.httponly, true);
    assert.match(String(yes.cookie.attrs.samesite), /^(Lax|Strict)$/i);
    assert.equal(yes.cookie.attrs.path, '/');

    const once = stack.client();
    const no = await signInViaPage(once, phoneUser.contact, phoneUser.password);
    assert.equal(no.status, 303);
    assert.ok(no.cookie);
    assert.equal(no.cookie.attrs['max-age'], undefined, no.cookie.header);
    assert.equal(no.cookie.attrs.expires, undefined, no.cookie.header);
    assert.equal(no.cookie.attrs.httponly, true);

    const api = stack.client();
    const viaApi = await apiSignIn(api, phoneUser.contact, phoneUser.password, { remember: true });
    assert.ok(Number(viaApi.cookie.attrs['max-age']) >= 30 * 24 * 3600, 'the API honours "remember" too');
  });

  test('the session token changes at sign-in: the old cookie is not signed in and the old CSRF token is refused', async () => {
    const c = stack.client();
    await c.get('/prefs/lang/ru?next=/signin');  // a chosen language: an anonymous session sign-in must replace
    assert.equal((await c.get('/signin')).status, 200);
    const oldSid = c.sid, oldCsrf = c.csrf;
    assert.ok(oldSid && oldCsrf);
    const res = await c.postForm('/signin', { login: phoneUser.contact, password: phoneUser.password });
    assert.equal(res.status, 303);
    assert.ok(c.sid && c.sid !== oldSid, 'a new token');

    const planted = withCookie(oldSid);
    const page = await planted.get('/account');
    assert.equal(page.status, 303, 'the old cookie opens no account');
    assert.equal(page.location, '/signin?next=%2Faccount');
    assert.equal(await signedIn(withCookie(oldSid)), false);

    const stale = await c.postForm('/signout', {}, { csrf: oldCsrf });
    assert.equal(stale.status, 403, 'the CSRF token of the anonymous session is dead');
    const staleApi = await c.api('POST', '/api/v1/identity/password-strength', { password: 'x' }, { csrf: oldCsrf });
    assert.equal(staleApi.status, 403);
    assert.equal(staleApi.json.error.code, 'csrf.invalid');
    assert.equal(await signedIn(c), true, 'the refused sign-out changed nothing');
    const fresh = await c.api('POST', '/api/v1/identity/password-strength', { password: 'x' });
    assert.equal(fresh.status, 200, 'the new token works');
  });

  test('signing out ends the session: the cookie it had is no longer signed in', async () => {
    const c = stack.client();
    await signInViaPage(c, phoneUser.contact, phoneUser.password, { remember: true });
    const home = await c.get('/');
    assert.match(home.body, /class="signout-form"/);
    const sid = c.sid;

    const out = await c.postForm('/signout', {});
    assert.equal(out.status, 303);
    assert.equal(out.location, '/');
    assert.ok(c.sid && c.sid !== sid, 'a fresh anonymous session keeps the preferences');
    const after = await c.get('/');
    assert.doesNotMatch(after.body, /class="account-menu"/);
    assert.match(after.body, new RegExp(`<a class="signin" href="/signin">${htmlText('layout.signin')}</a>`));
    assert.equal(await signedIn(c), false);

    const old = withCookie(sid);
    assert.equal((await old.get('/account')).status, 303, 'the remembered cookie is dead too');
    assert.equal(await signedIn(withCookie(sid)), false);
    assert.equal((await withCookie(sid).api('GET', '/api/v1/account')).status, 401);

    // The API's ways: its own path, and the same POST asking for JSON.
    for (const path of ['/api/v1/identity/signout', '/signout']) {
      const api = stack.client();
      await apiSignIn(api, phoneUser.contact, phoneUser.password);
      const apiSid = api.sid;
      const bye = await api.api('POST', path);
      assert.equal(bye.status, 200, path);
      assert.deepEqual(bye.json, { signed_in: false });
      assert.notEqual(api.sid, apiSid);
      assert.equal(await signedIn(withCookie(apiSid)), false, path);
      assert.equal(await signedIn(api), false);
    }
  });
});

describe('brute force', () => {
  test('per account: free tries, then growing waits named in the message; a right password in a wait is refused', async () => {
    const user = await newAccount(stack, { surname: 'Морозов', name: 'Дмитрий' });
    const c = stack.client();
    for (let i = 1; i <= 2; i++) {
      const r = await apiSignIn(c, user.contact, 'wrong password ' + i);
      assert.equal(r.status, 401, r.body);
      assert.equal(r.json.error.code, 'identity.wrong_credentials');
      assert.equal(r.json.error.message, text('identity.error.wrong_credentials'));
      assert.equal(r.json.error.retry_after, undefined);
      assert.equal(r.headers.get('retry-after'), null);
    }
    const third = await apiSignIn(c, user.contact, 'wrong password 3');
    assert.equal(third.status, 401);
    assert.equal(third.json.error.retry_after, 2, 'the first wait is 2 s');
    assert.equal(third.headers.get('retry-after'), '2');
    assert.equal(third.json.error.message, `${text('identity.error.wrong_credentials_wait')} ${waitText(2)}`);

    // The right password, on the page and through the API, while the wait lasts.
    const other = stack.client();  // another address: the wait belongs to the login
    const page = await signInViaPage(other, user.contact, user.password);
    assert.equal(page.status, 429, page.body);
    assert.ok(page.body.includes(htmlText('identity.error.blocked')));
    const m = page.body.match(new RegExp(waitPattern()));
    assert.ok(m && Number(m[1]) >= 1 && Number(m[1]) <= 2, 'the page says how long to wait');
    assert.match(page.body, new RegExp(`id="login" name="login" value="${escapeRe(user.contact)}"`), 'the login stays filled in');
    assert.equal(await signedIn(other), false);
    const api = await apiSignIn(c, user.contact, user.password);
    assert.equal(api.status, 429);
    assert.equal(api.json.error.code, 'identity.blocked');
    assert.ok(api.json.error.retry_after >= 1 && api.json.error.retry_after <= 2);
    assert.equal(api.headers.get('retry-after'), String(api.json.error.retry_after));
    assert.equal(api.json.error.message, `${text('identity.error.blocked')} ${waitText(api.json.error.retry_after)}`);
    assert.equal(await signedIn(c), false);

    // Once the wait is over, the next wrong password doubles it.
    const fourth = await waitFor(() => apiSignIn(c, user.contact, 'wrong password 4'), (r) => r.status !== 429,
      { what: 'the 2 s wait to end', timeoutMs: 10000 });
    assert.equal(fourth.status, 401);
    assert.equal(fourth.json.error.retry_after, 4);
    assert.equal(fourth.json.error.message, `${text('identity.error.wrong_credentials_wait')} ${waitText(4)}`);

    // After it, the right password signs in and the count starts again.
    const ok = await waitFor(() => apiSignIn(c, user.contact, user.password), (r) => r.status !== 429,
      { what: 'the 4 s wait to end', timeoutMs: 15000 });
    assert.equal(ok.status, 200, ok.body);
    const again = await apiSignIn(stack.client(), user.contact, 'wrong again');
    assert.equal(again.status, 401);
    assert.equal(again.json.error.retry_after, undefined, 'a success forgets the failures');
  });

  test('a login that does not exist gets the very same answers as a wrong password', async () => {
    const user = await newAccount(stack, { surname: 'Волкова', name: 'Мария' });
    const ghost = uniquePhone();
    // The page, attempt by attempt, normalized for the things that must differ (token, login).
    // (The wait is counted in whole seconds of the server's clock: one answer may say 1 s, the next 2 s.)
    const normalize = (body, login) => body.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""')
      .replace(new RegExp(waitPattern(), 'g'), 'WAIT').split(login).join('LOGIN');
    const real = stack.client(), fake = stack.client();
    await real.get('/signin');
    await fake.get('/signin');
    for (let i = 1; i <= 4; i++) {
      const a = await real.postForm('/signin', { login: user.contact, password: `nope ${i}` });
      const b = await fake.postForm('/signin', { login: ghost, password: `nope ${i}` });
      assert.equal(a.status, b.status, `attempt ${i}`);
      assert.equal(a.status, i < 4 ? 401 : 429, `attempt ${i}`);
      assert.equal(normalize(a.body, user.contact), normalize(b.body, ghost), `attempt ${i}: the pages differ`);
    }

    // The API, for an e-mail, a phone, a SNILS and something that is no login at all.
    // (An account of its own for each pair: the counters of one pair stay out of the next.)
    const pairs = [['email', uniqueEmail()], ['phone', uniquePhone()], ['phone', '112-233-445 95'], ['email', 'no such login']];
    for (const [kind, unknown] of pairs) {
      const known = (await newAccount(stack, { contact: kind === 'email' ? uniqueEmail() : uniquePhone() })).contact;
      const x = stack.client(), y = stack.client();
      const known1 = await apiSignIn(x, known, 'wrong-1');
      const unknown1 = await apiSignIn(y, unknown, 'wrong-1');
      assert.equal(known1.status, 401);
      assert.deepEqual(unknown1.json, known1.json, `${unknown} vs ${known}`);
      assert.equal(unknown1.status, known1.status);
      for (const h of ['retry-after', 'content-type', 'cache-control']) assert.equal(unknown1.headers.get(h), known1.headers.get(h), h);
      if (unknown !== 'no such login') {
        // Once more from each: a known login's counter and an unknown's grow alike.
        await apiSignIn(x, known, 'wrong-2');
        await apiSignIn(y, unknown, 'wrong-2');
        const k3 = await apiSignIn(x, known, 'wrong-3'), u3 = await apiSignIn(y, unknown, 'wrong-3');
        assert.deepEqual(u3.json, k3.json);
        assert.equal(u3.headers.get('retry-after'), '2');
      }
    }
  });

  test('per address: 20 free failures whatever the logins, then a wait for everyone there', async () => {
    const user = await newAccount(stack, { surname: 'Лебедева', name: 'Ольга' });
    const ip = `10.250.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const c = new Client(stack.url, { ip });
    const answers = [];
    for (let i = 1; i <= 20; i++) answers.push(await apiSignIn(c, uniquePhone(), 'guess ' + i));
    assert.deepEqual(answers.slice(0, 19).map((r) => [r.status, r.json.error.retry_after]), Array(19).fill([401, undefined]),
      'each login failed once only: no wait before the 20th failure from the address');
    assert.equal(answers[19].status, 401);
    assert.equal(answers[19].json.error.retry_after, 1, 'the address waits after 20 failures');
    assert.equal(answers[19].headers.get('retry-after'), '1');

    // A right password from that address must wait too; from another address it is fine.
    const same = new Client(stack.url, { ip });
    const blocked = await apiSignIn(same, user.contact, user.password);
    assert.equal(blocked.status, 429, blocked.body);
    assert.equal(blocked.json.error.code, 'identity.blocked');
    const elsewhere = await apiSignIn(stack.client(), user.contact, user.password);
    assert.equal(elsewhere.status, 200, 'the account itself is not locked');

    const next = await waitFor(() => apiSignIn(c, uniquePhone(), 'guess 21'), (r) => r.status !== 429,
      { what: 'the address wait to end', timeoutMs: 10000 });
    assert.equal(next.status, 401);
    assert.equal(next.json.error.retry_after, 2, 'the address wait grows');
  });
});

describe('?next= after signing in', () => {
  const cases = [
    ['/account/level', '/account/level'],
    ['/access?need=standard&next=%2F', '/access?need=standard&next=%2F'],
    ['//evil.example', '/'],
    ['//evil.example/account', '/'],
    ['https://evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/account\r\nSet-Cookie: x=1', '/'],
  ];
  for (const [next, expected] of cases) {
    test(`next=${JSON.stringify(next)} → ${expected}`, async () => {
      const c = stack.client();
      const form = await c.get(`/signin?next=${encodeURIComponent(next)}`);
      assert.equal(form.status, 200);
      const action = form.body.match(/<form method="post" action="([^"]+)"/)[1];
      assert.equal(action.replace(/&amp;/g, '&'), `/signin?next=${encodeURIComponent(expected)}`, 'the form keeps only a safe next');
      const res = await c.postForm(`/signin?next=${encodeURIComponent(next)}`, { login: phoneUser.contact, password: phoneUser.password });
      assert.equal(res.status, 303, res.body);
      assert.equal(res.location, expected);
      // Signed in already: /signin goes straight on, by the same rule.
      const again = await c.get(`/signin?next=${encodeURIComponent(next)}`);
      assert.equal(again.status, 303);
      assert.equal(again.location, expected);
    });
  }
});

describe('what you need for this (ID-4)', () => {
  const access = async (c, need) => (await c.api('GET', `/api/v1/access?need=${need}`)).json;

  test('nobody signed in: sign in first, then the profile, then confirmation', async () => {
    const c = stack.client();
    assert.deepEqual(await access(c, 'simplified'), { allowed: false, need: 'simplified', have: null, missing: ['sign_in'] });
    assert.deepEqual(await access(c, 'standard'), { allowed: false, need: 'standard', have: null, missing: ['sign_in', 'fill_profile'] });
    assert.deepEqual(await access(c, 'confirmed'),
      { allowed: false, need: 'confirmed', have: null, missing: ['sign_in', 'fill_profile', 'confirm_identity'] });
    const bad = await c.api('GET', '/api/v1/access?need=superuser');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'access.bad_level');
    assert.equal((await c.get('/access?need=%3Cscript%3E')).status, 400);

    const page = await c.get('/access?need=standard&next=%2Fcatalog');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(`${htmlText('identity.access.need')} <strong>${htmlText('identity.level.standard')}</strong>.`));
    const titles = [...page.body.matchAll(/<li><h3>([^<]+)<\/h3>/g)].map((x) => x[1]);
    assert.deepEqual(titles, [htmlText('identity.step.sign_in.title'), htmlText('identity.step.fill_profile.title')]);
    assert.ok(page.body.includes('href="/signin?next=%2Fcatalog"'), 'sign in and come back');
    const evil = await c.get('/access?need=standard&next=%2F%2Fevil.example');
    assert.ok(evil.body.includes('href="/signin?next=%2F"'), 'a foreign next is dropped');
  });

  test('a simplified account: the profile is missing for standard, confirmation too for confirmed', async () => {
    const c = stack.client();
    await apiSignIn(c, phoneUser.contact, phoneUser.password);
    assert.deepEqual(await access(c, 'simplified'), { allowed: true, need: 'simplified', have: 'simplified', missing: [] });
    assert.deepEqual(await access(c, 'standard'), { allowed: false, need: 'standard', have: 'simplified', missing: ['fill_profile'] });
    assert.deepEqual(await access(c, 'confirmed'),
      { allowed: false, need: 'confirmed', have: 'simplified', missing: ['fill_profile', 'confirm_identity'] });

    const page = await c.get('/access?need=confirmed&next=%2Fservices%2F1');
    assert.ok(page.body.includes(`${htmlText('identity.access.have')} <strong>${htmlText('identity.level.simplified')}</strong>.`));
    const titles = [...page.body.matchAll(/<li><h3>([^<]+)<\/h3>/g)].map((x) => x[1]);
    // The confirmed level's step links the page of every way to it.
    assert.deepEqual(titles, [htmlText('identity.step.fill_profile.title'), htmlText('identity.step.confirm_identity.title')]);
    assert.ok(page.body.includes('href="/account/details"'));
    assert.ok(page.body.includes('href="/account/confirm"'));

    const enough = await c.get('/access?need=simplified&next=%2Fservices%2F1');
    assert.ok(enough.body.includes(htmlText('identity.access.allowed')));
    assert.ok(enough.body.includes('<a class="button" href="/services/1">'), 'straight on to where the user was going');

    const level = await c.get('/account/level');
    assert.equal(level.status, 200);
    assert.ok(level.body.includes(`<strong>${htmlText('identity.level.simplified')}</strong>`));
    const steps = [...level.body.matchAll(/<li><h3>([^<]+)<\/h3>/g)].map((x) => x[1]);
    assert.deepEqual(steps, [htmlText('identity.step.fill_profile.title'), htmlText('identity.step.confirm_identity.title')]);
    // The table of levels is public; nobody's level is claimed for a visitor.
    const anonymous = await stack.client().get('/account/level');
    assert.equal(anonymous.status, 200);
    assert.ok(!anonymous.body.includes(`${htmlText('identity.access.have')} <strong>`));
    const first = [...anonymous.body.matchAll(/<li><h3>([^<]+)<\/h3>/g)].map((x) => x[1])[0];
    assert.equal(first, htmlText('identity.step.sign_in.title'));
  });

  test("the header's quick menu shows the name and the level, in the user's language", async () => {
    for (const lang of ['ru', 'en']) {
      const c = stack.client({ lang });
      await apiSignIn(c, phoneUser.contact, phoneUser.password);
      const home = await c.get('/');
      assert.equal(home.status, 200);
      const menu = home.body.match(/<div class="account-menu">([\s\S]*?)<\/div>/);
      assert.ok(menu, 'a quick menu');
      assert.match(menu[1], /<a class="account-name" href="\/account">Анна Смирнова<\/a>/);
      assert.ok(menu[1].includes(`<a class="account-level level-simplified" href="/account/level">${htmlText('identity.level.simplified', lang)}</a>`), lang);
      assert.ok(menu[1].includes(`>${htmlText('layout.signout', lang)}</button>`));
    }
  });
});
