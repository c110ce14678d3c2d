// Applications, the back-office's and the API's second part against a real
// `uslugi serve`: take / assign inside one authority (two officers taking one
// application at once end with one owner; the applicant is neither shown nor
// told), standalone complaints answered by the superior authority, the JSON
// API of filling a form (error codes, idempotent sending), one field checked
// on its own, and the SQL statements of the cabinet's list at 1 and at 50
// applications. Access: another citizen, another authority's officer → 404.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { text, escapeHtml } from '../support/identity.mjs';
import { startApplicationsStack } from '../support/applications.mjs';

process.env.USLUGI_DEBUG_SQL_COUNT = '1';  // the server answers X-Debug-Sql-Statements

const SERVICE = 'criminal-record-certificate';
const AUTHORITY = 'giac';  // a child of 'mvd'
let stack;

const applicant = { surname: 'Соколова', name: 'Дарья', patronymic: '', gender: 'female', birth_date: '1985-03-15',
  birth_place: 'г. Пермь', snils: '112-233-445 95' };
const purpose = { purpose: 'visa', copies: '1' };
const address = { registration_address: 'Пермский край, г. Пермь, ул. Ленина, д. 1, кв. 2', same_address: 'yes',
  phone: '+7 912 345-67-89' };

// A criminal-record application sent through the JSON API; returns its id.
async function applyViaApi(c) {
  const draft = await c.api('POST', '/api/v1/applications/drafts', { service: SERVICE });
  assert.equal(draft.status, 201, draft.body);
  const base = `/api/v1/applications/drafts/${draft.json.id}`;
  for (const [n, values] of [[1, applicant], [2, purpose], [3, { previous_names: [] }], [4, address]]) {
    const r = await c.api('PUT', `${base}/steps/${n}`, { values });
    assert.equal(r.status, 200, `step ${n}: ${r.body}`);
  }
  const summary = await c.api('GET', `${base}/summary`);
  const sent = await c.api('POST', `${base}/submit`, undefined, { headers: { 'Idempotency-Key': summary.json.idempotency_key } });
  assert.equal(sent.status, 201, sent.body);
  return sent.json.id;
}

const count = (sql) => Number(stack.scalar(sql));

// The 5-step notice of starting a business (a service for legal entities), as the API takes it.
const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
const notice = [
  { full_name: 'ООО «Ромашка»', inn: '7707083893', ogrn: '1027700132195' },
  { activity: 'catering', start_date: tomorrow },
  { address: 'г. Пермь, ул. Ленина, д. 10', area: '54', tenure: 'lease' },
  { surname: 'Соколова', name: 'Дарья', position: 'директор' },
  { phone: '+7 912 345-67-89', email: '', truthful: 'yes' },
];

// Fills a whole form through the API and sends it; returns the send's response.
async function sendViaApi(c, service, steps) {
  const draft = await c.api('POST', '/api/v1/applications/drafts', { service });
  assert.equal(draft.status, 201, draft.body);
  const base = `/api/v1/applications/drafts/${draft.json.id}`;
  for (const [i, values] of steps.entries()) {
    const r = await c.api('PUT', `${base}/steps/${i + 1}`, { values });
    assert.equal(r.status, 200, `step ${i + 1}: ${r.body}`);
  }
  const summary = await c.api('GET', `${base}/summary`);
  assert.equal(summary.json.ready, true, summary.body);
  return c.api('POST', `${base}/submit`, undefined, { headers: { 'Idempotency-Key': summary.json.idempotency_key } });
}


before(async () => { stack = await startApplicationsStack(); });
after(async () => { await stack?.stop(); });

describe('applications: assignment, standalone complaints, the form API', () => {
  test('take / assign: one owner out of two at once, colleagues only, internal to the authority', async () => {
    const c = await stack.citizen();
    const id = await applyViaApi(c);
    const [a, b] = [await stack.officer(AUTHORITY), await stack.officer(AUTHORITY)];
    const outsider = await stack.officer('mvd');  // the parent authority holds no scope over its children's
    const page = await a.get(`/office/applications/${id}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(escapeHtml(text('applications_more.assign.nobody'))));
    const told = () => count(`SELECT COUNT(*) FROM notifications_outbox WHERE template = 'applications.status' AND recipient = '${c.id}'`);
    const toldBefore = told();

    // Both saw "nobody" and take it at the same moment: one wins, the other is told someone was first.
    await b.get(`/office/applications/${id}`);
    const both = await Promise.all([a, b].map((o) => o.postForm(`/office/applications/${id}/assign`, { action: 'take', expected: '0' })));
    assert.deepEqual(both.map((r) => r.status).sort(), [303, 409], both.map((r) => r.status).join());
    const winner = both[0].status === 303 ? a : b, loser = winner === a ? b : a;
    assert.ok(both.find((r) => r.status === 409).body.includes(escapeHtml(text('applications_more.assign.conflict'))));
    const owner = count(`SELECT officer_id FROM applications WHERE id = ${id}`);
    assert.equal(count(`SELECT COUNT(*) FROM applications_history WHERE application_id = ${id} AND internal = 1`), 1);

    // The winner gives it to the colleague; a stale form (still saying "nobody") is refused.
    const loserId = count(`SELECT account_id FROM identity_staff_roles WHERE role = 'officer' AND scope = '${AUTHORITY}' AND account_id <> ${owner} ORDER BY account_id DESC LIMIT 1`);
    const stale = await loser.postForm(`/office/applications/${id}/assign`, { action: 'assign', officer: String(loserId), expected: '0' });
    assert.equal(stale.status, 409);
    const given = await winner.postForm(`/office/applications/${id}/assign`, { action: 'assign', officer: String(loserId), expected: String(owner) });
    assert.equal(given.status, 303, given.body.slice(0, 400));
    assert.equal(count(`SELECT officer_id FROM applications WHERE id = ${id}`), loserId);

    // Only officers of the same authority may receive it.
    const outsiderId = count(`SELECT account_id FROM identity_staff_roles WHERE role = 'officer' AND scope = 'mvd' ORDER BY account_id DESC LIMIT 1`);
    assert.ok(!(await loser.get(`/office/applications/${id}`)).body.includes(`value="${outsiderId}"`), 'an outsider is not offered');
    const wrong = await loser.postForm(`/office/applications/${id}/assign`, { action: 'assign', officer: String(outsiderId), expected: String(loserId) });
    assert.equal(wrong.status, 422);
    assert.equal(count(`SELECT officer_id FROM applications WHERE id = ${id}`), loserId);

    // Another authority's officer and a citizen: nothing, whatever the id.
    for (const target of [id, id + 1000, 0]) {
      const r = await outsider.postForm(`/office/applications/${target}/assign`, { action: 'take', expected: String(loserId) });
      assert.equal(r.status, 404, `outsider on ${target}`);
    }
    assert.notEqual((await c.postForm(`/office/applications/${id}/assign`, { action: 'take', expected: '0' })).status, 303);
    assert.equal(count(`SELECT officer_id FROM applications WHERE id = ${id}`), loserId);

    // Recorded for the officers, not shown to nor told to the applicant.
    assert.equal(count(`SELECT COUNT(*) FROM applications_history WHERE application_id = ${id} AND internal = 1`), 2);
    assert.match((await loser.get(`/office/applications/${id}`)).body, /Петров/);
    const api = await c.api('GET', `/api/v1/applications/${id}`);
    assert.deepEqual(api.json.history.map((h) => h.status), ['registered', 'sent']);
    assert.equal(told(), toldBefore, 'no notification for an internal assignment');
  });

  test('a standalone complaint goes to the superior authority, is taken up and answered', async () => {
    const c = await stack.citizen();
    assert.equal((await c.get('/complaints/new')).status, 200);
    const bad = await c.postForm('/complaints/new', { authority: 'no-such-authority', subject: 'official', body: 'Грубость' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.includes(escapeHtml(text('applications_more.complaint.bad_authority'))));
    const empty = await c.postForm('/complaints/new', { authority: AUTHORITY, subject: 'official', body: '   ' });
    assert.equal(empty.status, 422);
    const odd = await c.postForm('/complaints/new', { authority: AUTHORITY, subject: 'decision', body: 'нет заявления' });
    assert.equal(odd.status, 422, 'a decision needs an application: not a standalone subject');
    assert.equal(count(`SELECT COUNT(*) FROM applications_complaints WHERE account_id = ${c.id}`), 0, 'nothing half-saved');

    const filed = await c.postForm('/complaints/new', { authority: AUTHORITY, subject: 'action', body: 'Справку не выдают третий месяц' });
    assert.equal(filed.status, 303, filed.body.slice(0, 400));
    const path = filed.location, cid = Number(path.split('/').pop());
    assert.equal(stack.scalar(`SELECT handler_id FROM applications_complaints WHERE id = ${cid}`), 'mvd');
    assert.equal(count(`SELECT COUNT(*) FROM applications_complaints WHERE id = ${cid} AND application_id IS NULL`), 1);
    assert.match((await c.get('/account/complaints')).body, new RegExp(`/account/complaints/${cid}`));

    const own = await stack.officer(AUTHORITY), superior = await stack.officer('mvd'), stranger = await stack.citizen();
    assert.equal((await stranger.get(path)).status, 404, 'another citizen');
    assert.equal((await own.get(`/office/complaints/${cid}`)).status, 404, 'the authority complained about does not handle it');
    assert.equal((await own.postForm(`/office/complaints/${cid}/review`, {})).status, 404);
    assert.equal((await superior.postForm(`/office/complaints/${cid + 1000}/review`, {})).status, 404);

    assert.equal((await superior.postForm(`/office/complaints/${cid}/review`, {})).status, 303);
    assert.equal(stack.scalar(`SELECT status FROM applications_complaints WHERE id = ${cid}`), 'in_review');
    const twice = await superior.postForm(`/office/complaints/${cid}/review`, {});
    assert.equal(twice.status, 409, 'taken up once');
    assert.ok(twice.body.includes(escapeHtml(text('applications.error.wrong_status'))));
    assert.ok((await c.get(path)).body.includes(escapeHtml(text('applications.complaint.status.in_review'))));
    const reply = await superior.postForm(`/office/complaints/${cid}/answer`, { text: 'Справка будет выдана в течение трёх дней' });
    assert.equal(reply.status, 303);
    const seen = await c.get(path);
    assert.match(seen.body, /Справка будет выдана в течение трёх дней/);
    assert.ok(seen.body.includes(escapeHtml(text('applications.complaint.status.answered'))));
    // Filed, taken up, answered: each told by SMS.
    assert.equal(count(`SELECT COUNT(*) FROM notifications_outbox WHERE template = 'applications.complaint' AND recipient = '${c.id}' AND channel = 'sms'`), 3);
  });

  test('the form API: definition, steps with error codes, summary, idempotent sending, status and history', async () => {
    const c = await stack.citizen();
    const form = await c.api('GET', `/api/v1/applications/forms/${SERVICE}`);
    assert.equal(form.status, 200);
    assert.equal(form.json.steps.length, 4);
    assert.ok(form.json.steps[0].fields.some((f) => f.id === 'snils' && f.validator === 'snils'));
    assert.equal((await c.api('GET', '/api/v1/applications/forms/no-such-service')).status, 404);
    assert.equal((await c.api('POST', '/api/v1/applications/drafts', { service: 'no-such-service' })).json.error.code, 'applications.no_form');
    assert.equal((await c.api('POST', '/api/v1/applications/drafts', {}, {})).json.error.code, 'applications.bad_json');

    const draft = await c.api('POST', '/api/v1/applications/drafts', { service: SERVICE });
    assert.equal(draft.status, 201);
    const base = `/api/v1/applications/drafts/${draft.json.id}`;
    // Per-field error codes; what was typed is kept.
    const wrong = await c.api('PUT', `${base}/steps/1`, { values: { ...applicant, snils: '112-233-445 96', surname: '', birth_date: { y: 1985 } } });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.json.error.code, 'applications.invalid');
    assert.equal(wrong.json.errors.birth_date.code, 'type');
    const checked = await c.api('PUT', `${base}/steps/1`, { values: { ...applicant, snils: '112-233-445 96', surname: '' } });
    assert.equal(checked.status, 422);
    assert.equal(checked.json.errors.surname.code, 'required');
    assert.ok(checked.json.errors.snils.code.length > 0);
    assert.ok(checked.json.errors.snils.message.length > 0);
    assert.equal(checked.json.values.snils, '112-233-445 96', 'kept as typed');
    assert.equal((await c.api('PUT', `${base}/steps/9`, { values: {} })).json.error.code, 'applications.step_not_found');
    assert.equal((await c.api('PUT', `${base}/steps/1`, undefined, { rawBody: '{not json' })).json.error.code, 'applications.bad_json');

    // One field on its own (what the page's script asks): nothing saved.
    const one = await c.api('POST', `${base}/validate`, { field: 'snils', value: '112-233-445 96' });
    assert.equal(one.status, 200);
    assert.equal(one.json.valid, false);
    assert.equal(one.json.error.code, checked.json.errors.snils.code);
    assert.equal((await c.api('POST', `${base}/validate`, { field: 'snils', value: '112-233-445 95' })).json.valid, true);
    assert.equal((await c.api('POST', `${base}/validate`, { field: 'nope', value: 'x' })).json.error.code, 'applications.field_not_found');
    // A repeatable group's field by its index, up to the group's limit; beyond it, or odd paths: no such field.
    const inGroup = await c.api('POST', `${base}/validate`, { field: 'previous_names.0.surname', value: '' });
    assert.equal(inGroup.json.valid, false);
    assert.equal(inGroup.json.error.code, 'required');
    assert.equal((await c.api('POST', `${base}/validate`, { field: 'previous_names.0.surname', value: 'Иванова' })).json.valid, true);
    for (const field of ['previous_names.999999999999.surname', 'previous_names.5.surname', 'previous_names.0.nope', 'previous_names',
      'snils.0.x', 'previous_names.-1.surname', '', '.'.repeat(300)]) {
      const r = await c.api('POST', `${base}/validate`, { field, value: 'x' });
      assert.equal(r.status, 404, field);
      assert.equal(r.json.error.code, 'applications.field_not_found', field);
    }
    assert.equal((await c.api('POST', `${base}/validate`, { field: 'snils', value: 5 })).json.error.code, 'applications.bad_json');

    const ok1 = await c.api('PUT', `${base}/steps/1`, { values: applicant });
    assert.equal(ok1.status, 200, ok1.body);
    assert.equal(ok1.json.next_step, 2);
    const early = await c.api('GET', `${base}/summary`);
    assert.equal(early.json.ready, false);
    assert.equal(early.json.first_step_with_errors, 2);
    for (const [n, values] of [[2, purpose], [3, { previous_names: [] }], [4, address]])
      assert.equal((await c.api('PUT', `${base}/steps/${n}`, { values })).status, 200);
    const summary = await c.api('GET', `${base}/summary`);
    assert.equal(summary.json.ready, true, summary.body);
    const key = summary.json.idempotency_key;

    // Someone else's draft does not exist for this caller.
    const other = await stack.citizen();
    for (const [method, path] of [['GET', base], ['GET', `${base}/summary`], ['PUT', `${base}/steps/1`], ['POST', `${base}/validate`]])
      assert.equal((await other.api(method, path, method === 'GET' ? undefined : { values: applicant, field: 'snils', value: '1' })).status, 404, `${method} ${path}`);
    assert.equal((await other.api('POST', `${base}/submit`, undefined, { headers: { 'Idempotency-Key': key } })).status, 404);

    assert.equal((await c.api('POST', `${base}/submit`)).json.error.code, 'applications.idempotency_key_required');
    assert.equal((await c.api('POST', `${base}/submit`, undefined, { headers: { 'Idempotency-Key': 'guess' } })).json.error.code,
      'applications.idempotency_key_mismatch');
    const sends = await Promise.all([1, 2].map(() => c.api('POST', `${base}/submit`, undefined, { headers: { 'Idempotency-Key': key } })));
    const again = await c.api('POST', `${base}/submit`, undefined, { headers: { 'Idempotency-Key': key } });
    const all = [...sends, again];
    assert.deepEqual(all.map((r) => r.status).filter((s) => s === 201), [201], all.map((r) => r.status).join());
    assert.equal(new Set(all.map((r) => r.json.id)).size, 1);
    assert.equal(count(`SELECT COUNT(*) FROM applications WHERE account_id = ${c.id}`), 1);
    const status = await c.api('GET', all[0].json.href);
    assert.equal(status.json.status, 'sent');
    assert.deepEqual(status.json.history.map((h) => h.status), ['registered', 'sent']);
    assert.equal((await other.api('GET', all[0].json.href)).status, 404);
    // The level is checked as on the pages.
    const low = await stack.citizen('simplified');
    const d2 = await low.api('POST', '/api/v1/applications/drafts', { service: SERVICE });
    const b2 = `/api/v1/applications/drafts/${d2.json.id}`;
    for (const [n, values] of [[1, applicant], [2, purpose], [3, { previous_names: [] }], [4, address]]) await low.api('PUT', `${b2}/steps/${n}`, { values });
    const k2 = (await low.api('GET', `${b2}/summary`)).json.idempotency_key;
    const refused = await low.api('POST', `${b2}/submit`, undefined, { headers: { 'Idempotency-Key': k2 } });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'applications.level_too_low');
  });

  test('on behalf of an organisation: employees by their role, admins see all, others nothing', async () => {
    const [head, admin, allowed, refused, outsider] = [await stack.citizen(), await stack.citizen(), await stack.citizen(),
      await stack.citizen(), await stack.citizen()];
    const now = Math.floor(Date.now() / 1000);
    const ogrn = String(1000000000000 + (now % 1000000) * 1000 + head.id % 1000).slice(0, 13);
    const org = Number(stack.scalar(`INSERT INTO org_organisations (ogrn, inn, short_name, full_name, head_account_id, created_at) VALUES ('${ogrn}', '7707083893', 'ООО «Ромашка»', 'Общество с ограниченной ответственностью «Ромашка»', ${head.id}, ${now}) RETURNING id`));
    // What the organisations service writes for a new member: the row and the account's hint (migration 0335).
    const member = (c, role, services = '') => {
      stack.scalar(`INSERT INTO org_members (organisation_id, account_id, role, status, services, invited_by, created_at, updated_at) VALUES (${org}, ${c.id}, '${role}', 'active', '${services}', ${head.id}, ${now}, ${now})`);
      stack.scalar(`UPDATE identity_accounts SET in_organisations = 1 WHERE id = ${c.id}`);
    };
    member(head, 'head');
    member(admin, 'admin');
    member(allowed, 'employee', 'business-start-notice');
    member(refused, 'employee', 'egrul-extract');
    for (const c of [head, admin, allowed, refused]) {
      const r = await c.api('POST', '/api/v1/organisations/switch', { to: String(org) });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.json.acting_for, org);
    }

    // The employee whose role names the service applies in the organisation's name, as the summary says.
    const page = await allowed.get('/services/business-start-notice/apply');
    assert.equal(page.status, 200);
    const started = await allowed.postForm('/services/business-start-notice/apply');
    const summaryPage = await allowed.get(started.location.replace(/\/steps\/1$/, '/summary'));
    assert.ok(summaryPage.body.includes(escapeHtml(text('applications_more.organisation.on_behalf'))), 'the summary names the organisation');
    assert.ok(summaryPage.body.includes(escapeHtml('ООО «Ромашка»')));
    const sent = await sendViaApi(allowed, 'business-start-notice', notice);
    assert.equal(sent.status, 201, sent.body);
    assert.equal(count(`SELECT organisation_id FROM applications WHERE id = ${sent.json.id}`), org);
    // A service for people is still personal, even while acting for the organisation.
    const personal = await applyViaApi(allowed);
    assert.equal(stack.scalar(`SELECT COALESCE(organisation_id, 0) FROM applications WHERE id = ${personal}`), '0');
    // An employee without the service in their role is refused, and nothing is sent.
    const no = await sendViaApi(refused, 'business-start-notice', notice);
    assert.equal(no.status, 403);
    assert.equal(no.json.error.code, 'applications.not_permitted_for_organisation');
    assert.equal(count(`SELECT COUNT(*) FROM applications WHERE account_id = ${refused.id}`), 0);

    // The head and the administrators see the organisation's applications; employees and others do not.
    for (const c of [head, admin]) {
      assert.match((await c.get('/account/applications')).body, /href="\/account\/organisation\/applications"/, 'the cabinet links them');
      const list = await c.get('/account/organisation/applications');
      assert.equal(list.status, 200);
      assert.ok(list.body.includes(sent.json.number));
      assert.ok(!list.body.includes(`/account/organisation/applications/${personal}`), 'a personal application is not the organisation\'s');
      assert.equal((await c.get(`/account/organisation/applications/${sent.json.id}`)).status, 200);
      assert.equal((await c.get(`/account/organisation/applications/${personal}`)).status, 404);
      const api = await c.api('GET', '/api/v1/organisation/applications');
      assert.equal(api.json.total, 1);
      assert.equal(api.json.applications[0].id, sent.json.id);
    }
    for (const c of [allowed, refused, outsider]) {
      assert.doesNotMatch((await c.get('/account/applications')).body, /href="\/account\/organisation\/applications"/);
      assert.equal((await c.get('/account/organisation/applications')).status, 404);
      for (const id of [sent.json.id, sent.json.id + 1, 0])
        assert.equal((await c.get(`/account/organisation/applications/${id}`)).status, 404);
      assert.equal((await c.api('GET', '/api/v1/organisation/applications')).json.error.code, 'applications.organisation_not_found');
    }
    // Acting personally again, the administrator sees none of it.
    assert.equal((await admin.api('POST', '/api/v1/organisations/switch', { to: 'personal' })).status, 200);
    assert.equal((await admin.get(`/account/organisation/applications/${sent.json.id}`)).status, 404);
    // A removed administrator loses it at once.
    stack.scalar(`UPDATE org_members SET status = 'removed' WHERE organisation_id = ${org} AND account_id = ${head.id}`);
    assert.equal((await head.get(`/account/organisation/applications/${sent.json.id}`)).status, 404);
  });

  test('the cabinet list runs as many SQL statements at 50 applications as at 1', async () => {
    const c = await stack.citizen();
    await applyViaApi(c);
    const statements = async () => {
      const r = await c.get('/account/applications');
      assert.equal(r.status, 200);
      return Number(r.headers.get('x-debug-sql-statements'));
    };
    await statements();  // caches warm
    const atOne = await statements();
    assert.ok(atOne > 0, 'the counter counts');
    // 49 more rows of the same applicant, copied in SQL (the list does not open their values).
    const rows = Array.from({ length: 49 }, (_, i) => `('c${c.id}-${i}', ${c.id}, service_id, authority_id, status, data_enc, 'k${c.id}-${i}', submitted_at + ${i + 1}, updated_at, due_at)`);
    for (const row of rows)
      stack.scalar(`INSERT INTO applications (number, account_id, service_id, authority_id, status, data_enc, submit_key, submitted_at, updated_at, due_at) SELECT ${row.replace(/^\(|\)$/g, '')} FROM applications WHERE account_id = ${c.id} AND number NOT LIKE 'c%' LIMIT 1`);
    assert.equal(count(`SELECT COUNT(*) FROM applications WHERE account_id = ${c.id}`), 50);
    const atFifty = await statements();
    console.log(`# FIGURE SQL statements for one view of the cabinet's list: ${atOne} at 1 application, ${atFifty} at 50`);
    assert.equal(atFifty, atOne);
  });
});
