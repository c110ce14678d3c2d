// The rough edges of the identity flows (issue 11, SPEC ID-3, ID-4, ID-6, ACC)
// against a real portal, the registries sandbox and a real SMTP sink: the
// activity page in words, the confirmed level said plainly, the second step
// with an authenticator app, a code typed during a wait, the resend button
// without JavaScript, the error summary naming fields in the form's order,
// the service page's access note by the reader's level, a lost passport
// pointing to its replacement, the deletion confirmation, SMS refused pointing
// to the app, and one name for the product and for the Social Fund.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { root, waitFor, startServer, freshDatabase } from '../support/server.mjs';
import { person, startRegistries } from '../support/registries.mjs';
import {
  uniquePhone, uniqueEmail, strongPassword, text, htmlText, registerViaPages, registerViaApi, signInViaPage,
  mailFor, freePort, startSmtp, Client, nextSmsCode, nextEmailLink,
} from '../support/identity.mjs';
import { base32Decode, totpAt } from '../support/totp.mjs';

// The identity stack of the other identity tests (portal, sandbox, SMTP sink)
// with the demo catalog seeded, since the service pages are part of the story.
async function startStack() {
  const database = freshDatabase();
  const registries = await startRegistries();
  const port = await freePort();
  const sink = await startSmtp(port, registries.mailDir);
  const server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
    '--data-key', randomBytes(32).toString('hex'), '--smtp-port', String(port)], { database, seed: true });
  return {
    server, registries, url: server.url,
    client: (options = {}) => new Client(server.url, options),
    nextSmsCode: (phone, seen) => nextSmsCode(registries, phone, seen),
    nextEmailLink: (email, seen) => nextEmailLink(registries, email, seen),
    async stop() {
      await server.stop();
      await sink.stop();
      await registries.stop();
      database.drop();
    },
  };
}

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

// What a reader sees of a page: its text without tags, scripts or styles.
const visible = (html) => html.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ')
  .replace(/&[a-z]+;|&#\d+;/g, ' ').replace(/\s+/g, ' ');
const summaryItems = (html) => {
  const box = html.match(/<div class="notice error error-summary"[\s\S]*?<\/div>/);
  assert.ok(box, 'an error summary');
  return [...box[0].matchAll(/<li><a href="#([a-z_]+)">([^<]*)<\/a><\/li>/g)].map((m) => [m[1], m[2]]);
};

// ---- RFC 6238, independent of the server ------------------------------------------------------


// ---- journeys ---------------------------------------------------------------------------------

// A demo person registered through the API, the profile sent, the checks waited for.
async function checkedPerson(id) {
  const p = person(id);
  const c = stack.client();
  const password = strongPassword();
  await registerViaApi(stack, c, { surname: p.surname, name: p.name, contact: p.phone, password });
  const profile = {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender, birth_date: p.birth_date,
    birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship, document_type: 'passport_rf',
    passport: `${p.passport.series} ${p.passport.number}`, issue_date: p.passport.issue_date,
    issued_by: p.passport.issuer, department_code: p.passport.department_code,
  };
  assert.equal((await c.api('PUT', '/api/v1/account/profile', { ...profile, submit: false })).status, 200);
  const sent = await c.api('PUT', '/api/v1/account/profile', { ...profile, submit: true });
  assert.equal(sent.status, 202, sent.body);
  const v = await waitFor(async () => (await c.api('GET', '/api/v1/account/verification')).json,
    (x) => x && !x.running && x.state !== 'checking', { what: `the checks of ${id}`, timeoutMs: 30000 });
  return { c, p, v, password };
}

let standard;  // p0001, checked and standard: shared by the tests that need a standard user
const standardUser = async () => (standard ??= await checkedPerson('p0001'));

describe('recent actions in words (ID-6)', () => {
  test('every event and field is in words, never an internal code, in four languages', async () => {
    const { c } = await standardUser();
    const api = await c.api('GET', '/api/v1/account/activity');
    const actions = new Set(api.json.entries.map((e) => e.action));
    for (const a of ['registered', 'profile_changed', 'profile_submitted', 'verification_passed', 'level_changed'])
      assert.ok(actions.has(a), `the log holds ${a}`);
    const codes = [...actions].filter((a) => a.includes('_'));
    const fieldKeys = ['birth_date', 'birth_place', 'document_type', 'issue_date', 'issued_by', 'department_code'];
    for (const lang of ['ru', 'en', 'de', 'fr']) {
      assert.equal((await c.get(`/prefs/lang/${lang}?next=/account/activity`)).status, 303);
      const page = await c.get('/account/activity');
      assert.equal(page.status, 200);
      const words = visible(page.body);
      for (const code of [...codes, ...fieldKeys, 'standard / '])
        assert.ok(!words.includes(code), `${lang}: no "${code}" on the page`);
      assert.ok(words.includes(text('flows.activity.action.verification_passed', lang)), `${lang}: check passed`);
      assert.ok(words.includes(text('flows.activity.action.level_changed', lang)), `${lang}: level changed`);
      const level = text('flows.activity.level_to', lang).replace('{level}', text('identity.level.standard', lang));
      assert.ok(words.includes(level), `${lang}: the new level named: ${level}`);
      assert.ok(words.includes(text('identity.level.standard', lang)));
      assert.ok(words.includes(text('flows.field.department_code', lang)), `${lang}: field names in words`);
      assert.doesNotMatch(page.body, /class="table-scroll"/, 'no scrolled table');
      assert.doesNotMatch(page.body, /<span class="meta">—\s*<\/span>/, 'no dash before nothing');
    }
    await c.get('/prefs/lang/ru');
  });
});

describe('the confirmed level, said plainly (ID-3, ID-4)', () => {
  test('the level page and /access?need=confirmed link the ways to confirm, not themselves', async () => {
    const c = stack.client();
    await registerViaApi(stack, c, { contact: uniquePhone() });
    for (const target of ['/account/level', '/access?need=confirmed']) {
      const page = await c.get(target);
      assert.equal(page.status, 200, target);
      const steps = page.body.match(/<ol class="steps">[\s\S]*?<\/ol>/)[0];
      assert.ok(steps.includes(htmlText('identity.step.confirm_identity.text')), `${target}: the ways to confirm`);
      assert.match(steps, /<a href="\/account\/confirm">/, `${target}: the page of the ways, nearest centres first`);
      assert.doesNotMatch(steps, /href="\/account\/level"/, `${target}: no link to itself`);
    }
    assert.ok((await c.get('/account/level')).body.includes(htmlText('confirmation.level_how')));
  });
});

describe('sign-in with an authenticator app', () => {
  test('the field is labelled as the app code, with "no access to the app?" and a way back', async () => {
    const c = stack.client();
    const phone = uniquePhone();
    const { password } = await registerViaPages(stack, c, { contact: phone });
    await c.get('/account/security/two-factor');
    await c.postForm('/account/security/two-factor/reauth', { password });
    const setup = await c.get('/account/security/two-factor/app');
    const key = setup.body.match(/<code class="totp-secret" id="totp-secret">([A-Z2-7 ]+)<\/code>/)[1];
    const secret = base32Decode(key);
    const on = await c.postForm('/account/security/two-factor/app', { code: totpAt(secret, Date.now() / 1000) });
    assert.equal(on.location, '/account/security?done=two_factor_on', on.body);

    const other = stack.client();
    const first = await signInViaPage(other, phone, password);
    assert.equal(first.location, '/signin/code');
    const page = await other.get('/signin/code');
    assert.equal(page.status, 200);
    assert.match(page.body, new RegExp(`<label for="code">${htmlText('security.totp.code')}</label>`));
    assert.ok(!page.body.includes(`<label for="code">${htmlText('identity.code.label')}</label>`), 'not "code from SMS"');
    assert.ok(page.body.includes(`${htmlText('flows.code.no_app')} <a href="/recover">`), 'the recovery route');
    assert.match(page.body, new RegExp(`<a href="/signin">${htmlText('flows.code.back')}</a>`));
    assert.equal((await other.get('/recover')).status, 200, 'the recovery route exists');
  });
});

describe('codes and waits', () => {
  test('a code typed during the wait after wrong codes keeps the person on the code page', async () => {
    const c = stack.client();
    const phone = uniquePhone();
    await c.get('/signup');
    assert.equal((await c.postForm('/signup', { surname: 'Орлова', name: 'Вера', contact: phone })).status, 303);
    const code = await stack.nextSmsCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; ++i) assert.equal((await c.postForm('/signup/code', { code: wrong })).status, 422);
    const during = await c.postForm('/signup/code', { code });
    assert.equal(during.status, 429, during.body.slice(0, 500));
    assert.equal(during.location, null, 'no redirect back to /signup');
    assert.ok(during.body.includes(htmlText('identity.error.blocked')), 'the wait is explained');
    assert.match(during.body, /<form method="post" action="\/signup\/code"/, 'the code form is still there');
  });

  test('without JavaScript the resend button is disabled during the countdown, with the time and a reload', async () => {
    const c = stack.client();
    const phone = uniquePhone();
    await c.get('/signup');
    assert.equal((await c.postForm('/signup', { surname: 'Орлова', name: 'Вера', contact: phone })).status, 303);
    const page = await c.get('/signup/code');
    assert.match(page.body, /<button type="submit" class="secondary" data-enable-after="\d+" disabled>/);
    assert.match(page.body, /<span class="countdown">[^<]*\d[^<]*<\/span>/, 'the time until it is available');
    assert.match(page.body, /<noscript>[^<]*<a href="\/signup\/code">/, 'a reload link without JavaScript');
    // And the server refuses an early send whatever the button says.
    const early = await c.postForm('/signup/resend', {});
    assert.equal(early.status, 429);
  });
});

describe('the error summary (ACC)', () => {
  for (const lang of ['ru', 'en', 'de', 'fr']) {
    test(`${lang}: the registration summary names each field in the order of the form`, async () => {
      const c = stack.client({ lang });
      await c.get('/signup');
      const res = await c.postForm('/signup', { surname: '', name: '', contact: '' });
      assert.equal(res.status, 422);
      const items = summaryItems(res.body);
      assert.deepEqual(items.map(([f]) => f), ['surname', 'name', 'contact']);
      for (const [field, message] of items) {
        const label = htmlText(`flows.field.${field}`, lang);
        assert.ok(message.startsWith(label), `${lang}: "${message}" names ${label}`);
        assert.ok(message.length > label.length + 3, 'and says what is wrong');
      }
      const order = ['id="surname"', 'id="name"', 'id="contact"'].map((s) => res.body.indexOf(s));
      assert.deepEqual([...order].sort((a, b) => a - b), order, 'the form has the same order');
    });
  }
});

describe('the service page by the reader\'s level (ID-4)', () => {
  const standardHint = htmlText('catalog.account_hint.standard');
  test('a standard user is not asked to fill in SNILS and passport; a simplified one is', async () => {
    const { c } = await standardUser();
    assert.equal((await c.api('GET', '/api/v1/account')).json.level, 'standard');
    const page = await c.get('/services/traffic-fines');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(htmlText('catalog.access_enough')));
    assert.ok(!page.body.includes(standardHint), 'no "fill in SNILS and passport" for a standard user');
    assert.doesNotMatch(page.body, /<p>\s*<\/p>/, 'no empty paragraph in its place');

    const simple = stack.client();
    await registerViaApi(stack, simple, { contact: uniquePhone() });
    const seen = await simple.get('/services/traffic-fines');
    assert.ok(seen.body.includes(standardHint), 'a simplified user reads how to get standard');
    assert.ok(!seen.body.includes(htmlText('catalog.access_enough')));

    const confirmed = await c.get('/services/passport-replacement');
    assert.ok(confirmed.body.includes(htmlText('flows.service.confirmed_hint')), 'confirmed: said plainly');
    assert.match(confirmed.body, /<a href="\/centres">/);
  });
});

describe('a failed check of a passport', () => {
  test('a lost passport links the replacement service instead of sending the same passport again', async () => {
    const { c, v } = await checkedPerson('p0003');
    assert.equal(v.state, 'failed');
    assert.equal(v.reason, 'passport_lost');
    const page = await c.get('/account/details');
    assert.match(page.body, /<a class="button" href="\/services\/passport-replacement">/);
    assert.doesNotMatch(page.body, /action="\/account\/details\/submit"/, 'no "send again"');
    assert.equal((await c.get('/services/passport-replacement')).status, 200, 'the service exists');
  });
});

describe('security messages', () => {
  test('deleting an account sends a confirmation e-mail through the SMTP sink', async () => {
    const c = stack.client();
    const email = uniqueEmail();
    const { password } = await registerViaPages(stack, c, { contact: email, surname: 'Лебедева', name: 'Ольга' });
    const before = (await mailFor(stack.registries, email)).length;
    await c.get('/account/security/delete');
    const done = await c.postForm('/account/security/delete', { password, confirm: 'on' });
    assert.equal(done.status, 200, done.body.slice(0, 500));
    const mail = await waitFor(() => mailFor(stack.registries, email), (l) => l.length > before,
      { what: 'the deletion e-mail', timeoutMs: 20000 });
    assert.equal(mail[0].subject, text('notifications.flows.account_deleted.subject'));
    assert.match(mail[0].body, /Ольга/);
    assert.match(mail[0].body, /учётная запись на портале Услуги удалена/);
    assert.equal((await c.api('GET', '/api/v1/account')).status, 401, 'and the account is gone');
  });

  test('SMS refused while turning on SMS codes points to the authenticator app', async () => {
    const c = stack.client();
    const { password } = await registerViaPages(stack, c, { contact: uniquePhone() });
    await c.get('/account/security/two-factor');
    await c.postForm('/account/security/two-factor/reauth', { password });
    let refused = null;
    for (let i = 0; i < 10 && !refused; ++i) {
      const r = await c.postForm('/account/security/two-factor/sms/start', {});
      if (r.status !== 303) refused = r;
      else await c.get(r.location);
    }
    assert.ok(refused, 'the SMS sends run out');
    assert.equal(refused.status, 429, refused.body.slice(0, 500));
    assert.ok(refused.body.includes(htmlText('flows.two_factor.use_app')));
    assert.match(refused.body, /<a href="\/account\/security\/two-factor\/app">/);
  });
});

// ---- one name for the product and for the Social Fund -------------------------------------------

function filesUnder(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

describe('one name (ACC)', () => {
  const texts = [
    ...filesUnder(path.join(root, 'locales'), '.json'),
    ...filesUnder(path.join(root, 'templates'), '.mustache'),
    ...filesUnder(path.join(root, 'src/notifications'), 'pp'),
  ];

  test('the product is called by layout.portal_name everywhere, never «Госуслуги»', () => {
    assert.equal(text('layout.portal_name', 'ru'), 'Услуги');
    for (const lang of ['en', 'de', 'fr']) assert.equal(text('layout.portal_name', lang), 'Uslugi');
    for (const f of texts) {
      const body = readFileSync(f, 'utf8');
      assert.doesNotMatch(body, /Госуслуг|Gosuslugi/i, path.relative(root, f));
    }
    // The notification texts that name the portal use the same name.
    for (const lang of ['ru', 'en', 'de', 'fr']) {
      const body = text('notifications.flows.account_deleted.body', lang);
      assert.ok(body.includes(text('layout.portal_name', lang)), `${lang}: the deletion e-mail names the portal`);
    }
  });

  test('the Social Fund of Russia, never the Pension Fund, in every text of the portal', () => {
    const old = /Пенсионн\S* фонд|Pension Fund|Rentenfonds|Caisse de retraite|Fonds de pension/;
    for (const f of texts) assert.doesNotMatch(readFileSync(f, 'utf8'), old, path.relative(root, f));
    for (const f of ['authorities.json', 'categories.json', 'life_situations.json']) {
      const data = JSON.parse(readFileSync(path.join(root, 'data/catalog', f), 'utf8'));
      const texts = [];
      const walk = (o) => {
        if (o && typeof o === 'object') {
          if (typeof o.ru === 'string') texts.push(o.ru);
          if (typeof o.en === 'string') texts.push(o.en);
          Object.values(o).forEach(walk);
        }
      };
      walk(data);
      for (const t of texts) assert.doesNotMatch(t, /Пенсионный фонд России|Pension Fund of Russia|\bПФР\b/, `${f}: ${t}`);
    }
  });
});
