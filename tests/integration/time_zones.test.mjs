// The reader's time zone (issue #9): chosen on /settings among Russia's eleven
// zones, kept in the session (through sign-in), and used for every time a page
// or an e-mail built during the request shows; the JSON API stays in UTC.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, startServer, runCli } from '../support/server.mjs';
import {
  startIdentityStack, newAccount, signInViaPage, mailFor, uniqueEmail, htmlText, text,
} from '../support/identity.mjs';

// "2026-11-23T19:05:00Z" shown `hours` east of UTC: "24.11.2026 05:05" for +10.
function shownAt(iso, hours) {
  const d = new Date(Date.parse(iso) + hours * 3600 * 1000);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

// The <time datetime="…">…</time> pairs of a page.
const shownTimes = (html) => [...html.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)].map((m) => ({ iso: m[1], shown: m[2] }));

async function chooseZone(client, zone, lang = 'ru') {
  await client.get('/settings');
  return client.postForm('/settings', { lang, time_zone: zone });
}

describe('time zones', () => {
  let stack;
  before(async () => { stack = await startIdentityStack(); });
  after(async () => { await stack?.stop(); });

  test('the settings offer Russia\'s eleven zones, Moscow time by default, each named with its offsets', async () => {
    const c = stack.client();
    const page = await c.get('/settings');
    assert.equal(page.status, 200);
    const zones = [...page.body.matchAll(/name="time_zone" id="[^"]+" value="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(zones.length, 11);
    assert.equal(zones[0], 'Europe/Kaliningrad');
    assert.equal(zones[10], 'Asia/Kamchatka');
    assert.match(page.body, /value="Europe\/Moscow" checked><label for="tz-Moscow">Москва \(МСК, UTC\+3\)<\/label>/);
    assert.match(page.body, /Калининград \(МСК−1, UTC\+2\)/);
    assert.match(page.body, /Владивосток \(МСК\+7, UTC\+10\)/);
    assert.equal((await c.session()).time_zone, 'Europe/Moscow');
    const english = await stack.client({ lang: 'en' }).get('/settings');
    assert.match(english.body, /Yekaterinburg \(MSK\+2, UTC\+5\)/);
  });

  test('a chosen zone shows the account\'s times in it; the API keeps UTC', async () => {
    const { contact, password } = await newAccount(stack);
    const c = stack.client();
    assert.equal((await signInViaPage(c, contact, password)).status, 303);

    let saved = await chooseZone(c, 'Asia/Vladivostok');
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/settings?saved=1');
    const settings = await c.get('/settings?saved=1');
    assert.match(settings.body, /value="Asia\/Vladivostok" checked>/);
    assert.doesNotMatch(settings.body, /value="Europe\/Moscow" checked>/);

    let activity = await c.get('/account/activity');
    assert.equal(activity.status, 200);
    let times = shownTimes(activity.body);
    assert.ok(times.length >= 2, 'registration and sign-in are listed');
    for (const { iso, shown } of times) assert.equal(shown, shownAt(iso, 10), `${iso} in Vladivostok`);
    assert.match(activity.body, /Владивосток \(МСК\+7, UTC\+10\)/, 'the page names the zone');

    assert.equal((await c.session()).time_zone, 'Asia/Vladivostok');
    const api = (await c.api('GET', '/api/v1/account/activity')).json;
    assert.deepEqual(api.entries.map((e) => e.at).sort(), times.map((t) => t.iso).sort());
    for (const e of api.entries) assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    saved = await chooseZone(c, 'Europe/Kaliningrad');
    assert.equal(saved.status, 303);
    activity = await c.get('/account/activity');
    times = shownTimes(activity.body);
    for (const { iso, shown } of times) assert.equal(shown, shownAt(iso, 2), `${iso} in Kaliningrad`);

    const sessions = await c.get('/account/security/sessions');
    assert.match(sessions.body, /Калининград \(МСК−1, UTC\+2\)/);
  });

  test('a zone chosen before signing in stays, and the sign-in e-mail is written in it', async () => {
    const email = uniqueEmail();
    const { password } = await newAccount(stack, { contact: email });
    const owner = stack.client();
    assert.equal((await signInViaPage(owner, email, password)).status, 303);
    await owner.get('/account/security');
    assert.equal((await owner.postForm('/account/security/notify-signin', { on: 'on' })).location,
      '/account/security?done=notify_on');

    const visitor = stack.client();
    assert.equal((await chooseZone(visitor, 'Asia/Yekaterinburg')).status, 303);
    const before = (await mailFor(stack.registries, email)).length;
    assert.equal((await signInViaPage(visitor, email, password)).status, 303);
    assert.match((await visitor.get('/settings')).body, /value="Asia\/Yekaterinburg" checked>/);

    const mail = await waitFor(() => mailFor(stack.registries, email), (l) => l.length > before,
      { what: 'the sign-in e-mail' });
    const notice = mail.find((m) => /Вход в вашу учётную запись/.test(m.subject));
    assert.ok(notice, 'the sign-in notice arrived');
    assert.match(notice.body, /\d\d\.\d\d\.\d{4} \d\d:\d\d \(UTC\+5\)/);
  });

  test('an unknown zone is refused with a message in the reader\'s language and changes nothing', async () => {
    const c = stack.client({ lang: 'en' });
    assert.equal((await chooseZone(c, 'Asia/Omsk', 'en')).status, 303);
    for (const bogus of ['Mars/Olympus_Mons', 'Europe/Berlin', '../../etc/passwd', '']) {
      const r = await chooseZone(c, bogus, 'en');
      assert.equal(r.status, 422, bogus);
      assert.ok(r.body.includes(htmlText('settings.error_time_zone', 'en')), bogus);
      assert.match(r.body, /role="alert"/);
    }
    const after = await c.get('/settings');
    assert.match(after.body, /value="Asia\/Omsk" checked>/);
    assert.ok(text('settings.error_time_zone', 'ru').length > 0, 'the Russian text exists too');
  });

  test('the default zone is a setting, checked at start', async () => {
    const server = await startServer(['--time-zone', 'Asia/Omsk']);
    try {
      const page = await (await fetch(server.url + '/settings')).text();
      assert.match(page, /value="Asia\/Omsk" checked><label for="tz-Omsk">Омск \(МСК\+3, UTC\+6\)<\/label>/);
    } finally {
      await server.stop();
    }
    const bad = await runCli(['serve', '--port', '0', '--time-zone', 'Europe/Atlantis']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--time-zone Europe\/Atlantis is not a zone/);
  });
});
