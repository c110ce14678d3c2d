// Marriage registration (APP-5) against a real `uslugi serve`: the form, the
// slot picker without JavaScript, the hold, the second spouse's confirmation
// from their own account, the office's officer seeing the booking in the
// queue; a hold that expires (its job run) frees the slot; a decline frees
// it too; a third person, and the other office's officer, get 404; couples
// trying one slot at once end with one booking.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { text, escapeHtml, uniquePhone, registerViaApi, Client } from '../support/identity.mjs';
import { startApplicationsStack } from '../support/applications.mjs';

const SERVICE = 'marriage-registration';
const OFFICE = 'moscow-zags';
// The shared helper's sqlite3 has no busy timeout: the server's writers (the
// job runner, the outbox) would make a write from here fail at once.
function sql(query) {
  if (!stack.database.url.startsWith('sqlite://')) return stack.scalar(query);
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', stack.database.url.slice('sqlite://'.length), query],
    { encoding: 'utf8' }).trim();
}

let stack;

before(async () => { stack = await startApplicationsStack(); });
after(async () => { await stack?.stop(); });

// A confirmed citizen with a phone we know (the second spouse is found by it).
async function person(level = 'confirmed') {
  const c = new Client(stack.url);
  const phone = uniquePhone();
  const { account } = await registerViaApi(stack, c, { contact: phone, surname: 'Иванов', name: 'Пётр' });
  sql(`UPDATE identity_accounts SET level = '${level}' WHERE id = ${account.id}`);
  c.id = account.id;
  c.phone = phone;
  return c;
}

async function step(c, draft, n, fields) {
  await c.get(`${draft}/steps/${n}`);
  return c.postForm(`${draft}/steps/${n}`, { ...fields, action: 'next' });
}

// The form up to the summary; returns the draft's path.
async function fillForm(c, spouse, { birth_date = '15.03.1995' } = {}) {
  assert.equal((await c.get(`/services/${SERVICE}/apply`)).status, 200);
  const started = await c.postForm(`/services/${SERVICE}/apply`);
  assert.equal(started.status, 303);
  const draft = started.location.replace(/\/steps\/1$/, '');
  let r = await step(c, draft, 1, { surname: 'Соколова', name: 'Дарья', patronymic: '', birth_date,
    surname_after: 'Иванова' });
  assert.equal(r.status, 303, r.body.slice(0, 600));
  r = await step(c, draft, 2, { spouse_surname: 'Иванов', spouse_name: 'Пётр', spouse_patronymic: 'Сергеевич',
    spouse_birth_date: '02.07.1993', spouse_surname_after: 'Иванов', spouse_contact: spouse.phone });
  assert.equal(r.status, 303, r.body.slice(0, 600));
  r = await step(c, draft, 3, { office: OFFICE, ceremony: 'ceremonial' });
  assert.equal(r.location, `${draft}/summary`);
  return draft;
}

// From the summary to the slot page; the first open date's free times.
async function pickDay(c, draft, { index = 0 } = {}) {
  const summary = await c.get(`${draft}/summary`);
  assert.equal(summary.status, 200);
  assert.ok(summary.body.includes(`action="${draft}/marriage"`), 'the summary sends through the slot picker');
  const on = await c.postForm(`${draft}/marriage`, {});
  assert.equal(on.status, 303);
  const month = await c.get(on.location);
  assert.equal(month.status, 200, month.body.slice(0, 400));
  const dates = [...month.body.matchAll(/href="([^"]*\/marriage\/slot\?month=[^"]*date=(\d{4}-\d{2}-\d{2})[^"]*)"/g)];
  assert.ok(dates.length > 0, 'open dates are listed');
  const [, href, date] = dates[index];
  const day = await c.get(href.replaceAll('&amp;', '&'));
  assert.equal(day.status, 200);
  const times = [...day.body.matchAll(/name="time" value="(\d{2}:\d{2})"/g)].map((m) => m[1]);
  assert.ok(times.length > 0, 'the day has free times');
  const key = day.body.match(/name="submit_key" value="([^"]+)"/)[1];
  return { date, times, key, page: day.body };
}

const hold = (c, draft, date, time, key = '') => c.postForm(`${draft}/marriage/hold`, { date, time, submit_key: key });
const bookingId = (location) => Number(location.match(/^\/account\/marriage\/(\d+)/)[1]);
const state = (id) => sql(`SELECT state FROM marriage_bookings WHERE id = ${id}`);
const appStatus = (id) => sql(`SELECT a.status FROM applications a JOIN marriage_bookings b ON b.application_id = a.id WHERE b.id = ${id}`);

describe('marriage registration', () => {
  test('hold → the second spouse confirms → the office sees it; others get 404', async () => {
    const anna = await person(), petr = await person(), stranger = await person();
    const draft = await fillForm(anna, petr);
    const { date, times, key } = await pickDay(anna, draft);
    // A double click: two holds of one draft at once, and a retry, make one booking.
    const clicks = await Promise.all([hold(anna, draft, date, times[0], key), hold(anna, draft, date, times[0], key)]);
    const retry = await hold(anna, draft, date, times[0], key);
    const held = clicks[0];
    for (const r of [...clicks, retry]) assert.equal(r.status, 303, r.body.slice(0, 600));
    assert.equal(new Set([...clicks, retry].map((r) => bookingId(r.location))).size, 1);
    assert.equal(Number(sql(`SELECT COUNT(*) FROM marriage_bookings WHERE applicant_id = ${anna.id}`)), 1);
    const id = bookingId(held.location);
    const path = `/account/marriage/${id}`;
    assert.equal(state(id), 'held');
    assert.equal(appStatus(id), 'registered', 'not sent before the second spouse confirms');
    assert.equal(Number(sql(`SELECT COUNT(*) FROM notifications_outbox WHERE template = 'marriage.invitation' AND recipient = '${petr.id}'`)), 1);
    assert.equal(Number(sql(`SELECT COUNT(*) FROM applications_drafts WHERE account_id = ${anna.id}`)), 0);

    // The slot is gone from the picker for everyone.
    const again = await pickDay(stranger, await fillForm(stranger, petr));
    if (again.date === date) assert.ok(!again.times.includes(times[0]), 'a held time is not offered');

    // Both spouses see the booking; nobody else does, whatever they try.
    for (const c of [anna, petr]) {
      const page = await c.get(path);
      assert.equal(page.status, 200);
      assert.match(page.body, new RegExp(escapeHtml(text('marriage.state.held'))));
    }
    assert.match((await petr.get(path)).body, new RegExp(`action="${path}/confirm"`));
    assert.doesNotMatch((await anna.get(path)).body, /\/confirm"/, 'the applicant does not confirm for the other');
    assert.equal((await stranger.get(path)).status, 404);
    assert.equal((await stranger.postForm(`${path}/confirm`, {})).status, 404);
    assert.equal((await stranger.postForm(`${path}/decline`, {})).status, 404);
    assert.equal((await new Client(stack.url).get(path)).status === 200, false, 'an anonymous visitor is sent to sign in');
    assert.equal((await anna.postForm(`${path}/confirm`, {})).status, 404, 'only the second spouse confirms');
    const appId = Number(sql(`SELECT application_id FROM marriage_bookings WHERE id = ${id}`));
    assert.equal((await anna.get(`/account/applications/${appId}`)).status, 200);
    assert.equal((await stranger.get(`/account/applications/${appId}`)).status, 404);

    // Not sent before the second spouse confirms: the office neither lists nor opens it.
    const number = sql(`SELECT number FROM applications WHERE id = ${appId}`);
    const officer = await stack.officer(OFFICE);
    assert.ok(!(await officer.get('/office/applications')).body.includes(number), 'a held application is not in the queue yet');
    assert.equal((await officer.get(`/office/applications/${appId}`)).status, 404);

    const confirmed = await petr.postForm(`${path}/confirm`, {});
    assert.equal(confirmed.status, 303, confirmed.body.slice(0, 400));
    assert.equal(state(id), 'confirmed');
    assert.equal(appStatus(id), 'sent');
    assert.equal((await petr.postForm(`${path}/confirm`, {})).status, 409, 'a second answer is refused');

    const queue = await officer.get('/office/applications?status=open');
    assert.equal(queue.status, 200);
    assert.ok(queue.body.includes(number), 'the registry office queue lists the booking');
    const view = await officer.get(`/office/applications/${appId}`);
    assert.equal(view.status, 200);
    assert.ok(view.body.includes(date.split('-').reverse().join('.') + ' ' + times[0]), 'the officer sees the date and time');
    const other = await stack.officer('spb-zags');
    assert.equal((await other.get(`/office/applications/${appId}`)).status, 404);
  });

  test('an unconfirmed hold expires through its job and the slot is free again', async () => {
    const anna = await person(), petr = await person();
    const draft = await fillForm(anna, petr);
    const { date, times } = await pickDay(anna, draft, { index: 1 });
    const held = await hold(anna, draft, date, times[1]);
    assert.equal(held.status, 303, held.body.slice(0, 400));
    const id = bookingId(held.location);
    // Time passes: the hold's deadline and its job's run time are both now.
    sql(`UPDATE marriage_bookings SET expires_at = 1 WHERE id = ${id}`);
    sql(`UPDATE jobs SET run_at = 0 WHERE job_key = 'marriage-expire-${id}'`);
    for (let i = 0; i < 200 && state(id) === 'held'; i++) await new Promise((r) => setTimeout(r, 50));  // the job runner polls every 100 ms
    assert.equal(state(id), 'expired');
    assert.equal(appStatus(id), 'cancelled');
    assert.equal(Number(sql(`SELECT COUNT(*) FROM marriage_slots WHERE booking_id = ${id}`)), 0);
    assert.equal((await petr.postForm(`/account/marriage/${id}/confirm`, {})).status, 409, 'too late to confirm');
    // Another couple takes the freed time.
    const olga = await person(), ivan = await person();
    const next = await fillForm(olga, ivan);
    await pickDay(olga, next, { index: 1 });
    const retaken = await hold(olga, next, date, times[1]);
    assert.equal(retaken.status, 303, retaken.body.slice(0, 400));
  });

  test('a decline frees the slot and cancels the application', async () => {
    const anna = await person(), petr = await person();
    const draft = await fillForm(anna, petr);
    const { date, times } = await pickDay(anna, draft, { index: 2 });
    const id = bookingId((await hold(anna, draft, date, times[0])).location);
    const declined = await petr.postForm(`/account/marriage/${id}/decline`, {});
    assert.equal(declined.status, 303);
    assert.equal(state(id), 'declined');
    assert.equal(appStatus(id), 'cancelled');
    assert.equal(Number(sql(`SELECT COUNT(*) FROM marriage_slots WHERE booking_id = ${id}`)), 0);
  });

  test('bad input: a time that is no slot, an unknown spouse, another couple\'s slot', async () => {
    const anna = await person(), petr = await person();
    const draft = await fillForm(anna, petr);
    const { date, times } = await pickDay(anna, draft, { index: 3 });
    for (const [d, t] of [[date, '13:15'], [date, '03:00'], ['2020-01-01', '10:00'], ['not-a-date', '10:00'], [date, '<b>']]) {
      const r = await hold(anna, draft, d, t);
      assert.equal(r.status, 422, `${d} ${t}`);
      assert.match(r.body, new RegExp(escapeHtml(text('marriage.error.bad_slot')).slice(0, 30)));
    }
    // Too young on the day: 17 today, so 18 only at the end of the window.
    const young = await person(), partner = await person();
    const today = new Date().toISOString().slice(0, 10);
    const youngDraft = await fillForm(young, partner, { birth_date: `${Number(today.slice(0, 4)) - 17}${today.slice(4)}` });
    await pickDay(young, youngDraft, { index: 3 });
    const tooYoung = await hold(young, youngDraft, date, times[0]);
    assert.equal(tooYoung.status, 422);
    assert.match(tooYoung.body, new RegExp(escapeHtml(text('marriage.error.under_age')).slice(0, 30)));
    const lonely = await person();
    const nobody = { phone: uniquePhone() };
    const draft2 = await fillForm(lonely, nobody);
    await pickDay(lonely, draft2, { index: 3 });
    const unknown = await hold(lonely, draft2, date, times[0]);
    assert.equal(unknown.status, 422);
    const self = await fillForm(petr, petr);
    await pickDay(petr, self, { index: 3 });
    assert.equal((await hold(petr, self, date, times[0])).status, 422, 'one cannot marry oneself');
    assert.equal(Number(sql(`SELECT COUNT(*) FROM marriage_bookings WHERE applicant_id IN (${lonely.id}, ${petr.id})`)), 0);

    // Couples holding one time at once: one booking, the others are told it is taken.
    const couples = await Promise.all(Array.from({ length: 8 }, async () => {
      const a = await person(), b = await person();
      const d = await fillForm(a, b);
      await pickDay(a, d, { index: 3 });
      return [a, d];
    }));
    const results = await Promise.all(couples.map(([a, d]) => hold(a, d, date, times[2])));
    assert.deepEqual(results.map((r) => r.status).sort(), [303, 409, 409, 409, 409, 409, 409, 409]);
    assert.equal(Number(sql(`SELECT COUNT(*) FROM marriage_slots WHERE office_id = '${OFFICE}' AND slot = '${date}T${times[2]}'`)), 1);
    assert.match(results.find((r) => r.status === 409).body, new RegExp(escapeHtml(text('marriage.error.slot_taken')).slice(0, 30)));
    // A draft of someone else's is not found.
    assert.equal((await anna.postForm(`${couples[0][1]}/marriage/hold`, { date, time: times[3] })).status, 404);
    assert.equal((await anna.get(`${couples[0][1]}/marriage/slot`)).status, 404);
  });
});
