// Account kinds (ID-5) against real processes (`uslugi serve` and the
// registries sandbox), on SQLite or PostgreSQL as the run chooses: an
// organisation registered by the head the tax service names, an employee
// invited, accepting and acting for it, and access — an employee without a
// role, an ex-employee and another citizen get 404 for the organisation's
// data whatever ids they try; an entrepreneur's profile by OGRNIP.
//
// People reach "confirmed" the honest way up to "standard" (profile checked by
// the sandbox's registries, INN found) and then through the test-only route
// that calls IdentityService::confirm_identity (the ways to it are ID-3's).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, freshDatabase, startServer } from '../support/server.mjs';
import { Client, scalar, registerViaApi, nextSmsCode, escapeHtml } from '../support/identity.mjs';
import { person, organisations, startRegistries } from '../support/registries.mjs';

// The portal with the demo catalog (the services an employee may be given)
// and the registries sandbox; registration is by phone, so no SMTP is needed.
async function startSeededStack() {
  const database = freshDatabase();
  const registries = await startRegistries();
  const server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
    '--job-backoff-base', '1', '--job-backoff-cap', '2', '--data-key', 'ef'.repeat(32)], { database, seed: true });
  return {
    server, registries, database, url: server.url,
    scalar: (sql) => scalar(database, sql),
    client: () => new Client(server.url),
    nextSmsCode: (phone, seen) => nextSmsCode(registries, phone, seen),
    async stop() { await server.stop(); await registries.stop(); database.drop(); },
  };
}

const setFault = (stack, registry, fault) => fetch(`${stack.registries.url}/admin/faults/${registry}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
}).then((r) => { assert.equal(r.status, 200); });

// The ID-2 fields of a demo person, as a user types them.
function profileOf(p) {
  return {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender,
    birth_date: p.birth_date, birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship,
    document_type: 'passport_rf', passport: `${p.passport.series} ${p.passport.number}`,
    issue_date: p.passport.issue_date, issued_by: p.passport.issuer, department_code: p.passport.department_code,
  };
}

// A demo person registered by phone, checked to "standard" with the INN found,
// then (unless `confirm` is false) confirmed.
async function personAccount(stack, id, { confirm = true } = {}) {
  const p = person(id);
  const client = stack.client();
  await registerViaApi(stack, client, { surname: p.surname, name: p.name, contact: p.phone });
  const put = await client.api('PUT', '/api/v1/account/profile', { ...profileOf(p), submit: true });
  assert.equal(put.status, 202, put.body);
  await waitFor(async () => (await client.api('GET', '/api/v1/account/verification')).json,
    (v) => v.state === 'passed' && !v.running, { what: `the checks of ${id}`, timeoutMs: 30000 });
  if (confirm) {
    const r = await fetch(`${stack.url}/test/organisations/confirm-identity`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: p.phone }),
    });
    assert.equal((await r.json()).outcome, 'confirmed');
  }
  return { client, p };
}

const legal = (pid) => organisations.find((o) => o.kind === 'legal' && o.head.person_id === pid);

describe('organisations and entrepreneurs (ID-5)', () => {
  let stack, head, employee, stranger, roleless, org, orgId;

  before(async () => {
    stack = await startSeededStack();
    [head, employee, stranger, roleless] = await Promise.all(
      ['p0215', 'p0001', 'p0051', 'p0106'].map((id) => personAccount(stack, id)));
    org = legal('p0215');
  });
  after(async () => { await stack?.stop(); });

  test('bad numbers and a person who is not the head are refused with a message, creating nothing', async () => {
    const c = head.client;
    let r = await c.postForm('/organisations', { id: org.ogrn.slice(0, 12) + String((Number(org.ogrn[12]) + 1) % 10) });
    assert.equal(r.status, 422);
    assert.match(r.body, /aria-invalid="true"/);
    r = await c.api('POST', '/api/v1/organisations', { id: '12345' });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'organisations.invalid');
    r = await c.api('POST', '/api/v1/organisations', { id: 'x'.repeat(5000) });
    assert.equal(r.status, 422);
    r = await c.api('POST', '/api/v1/organisations', { id: 12 });
    assert.ok([400, 422].includes(r.status), r.body);
    // A real organisation, but p0001 is not its head.
    r = await employee.client.api('POST', '/api/v1/organisations', { id: org.ogrn });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'organisations.not_head');
    // A liquidated one.
    const gone = organisations.find((o) => o.kind === 'legal' && o.status !== 'active');
    r = await c.api('POST', '/api/v1/organisations', { id: gone.ogrn });
    assert.equal(r.status, 422);
    assert.ok(['organisations.not_active', 'organisations.not_head'].includes(r.json.error.code));
    assert.equal(stack.scalar('SELECT COUNT(*) FROM org_organisations').trim(), '0');
  });

  test('the tax service down: the head is told to try later, nothing is lost', async () => {
    await setFault(stack, 'fns', { down: true });
    try {
      const r = await head.client.api('POST', '/api/v1/organisations', { id: org.inn });
      assert.equal(r.status, 503);
      assert.equal(r.json.error.code, 'organisations.registry_unavailable');
      const page = await head.client.postForm('/organisations', { id: org.inn });
      assert.equal(page.status, 503);
      assert.match(page.body, new RegExp(`value="${org.inn}"`), 'the typed number is kept');
    } finally {
      await setFault(stack, 'fns', { down: false });
    }
  });

  test('the head registers the organisation through the page, once', async () => {
    const c = head.client;
    assert.equal((await c.get('/organisations/new')).status, 200);
    const r = await c.postForm('/organisations', { id: org.ogrn });
    assert.equal(r.status, 303, r.body);
    orgId = Number(r.location.match(/^\/organisations\/(\d+)$/)[1]);
    const page = await c.get(r.location);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(escapeHtml(org.short_name)));
    assert.ok(page.body.includes(org.inn));
    const again = await c.api('POST', '/api/v1/organisations', { id: org.inn });
    assert.equal(again.status, 422);
    assert.equal(again.json.error.code, 'organisations.already_registered');
    const view = await c.api('GET', `/api/v1/organisations/${orgId}`);
    assert.equal(view.json.role, 'head');
    assert.equal(view.json.members.length, 1);
  });

  test('a standard (not confirmed) person may not register one', async () => {
    const { client } = await personAccount(stack, 'p0188', { confirm: false });
    const r = await client.api('POST', '/api/v1/organisations', { id: legal('p0188').ogrn });
    assert.equal(r.status, 403, r.body);
  });

  let memberId, rolelessId;
  test('the head invites an employee, who accepts and then acts for the organisation', async () => {
    const services = (await head.client.get(`/organisations/${orgId}`)).body.match(/name="services" value="([^"]+)"/g)
      .map((m) => m.match(/value="([^"]+)"/)[1]);
    assert.ok(services.length > 0, 'the invitation offers the services for legal entities');
    const invite = await head.client.postForm(`/organisations/${orgId}/members`,
      { login: employee.p.phone, role: 'employee', services: services[0] });
    assert.equal(invite.status, 303, invite.body);
    // Unknown or unconfirmed people get one answer.
    const nobody = await head.client.api('POST', `/api/v1/organisations/${orgId}/members`, { login: '+79990000000', role: 'employee' });
    assert.equal(nobody.status, 422);
    assert.equal(nobody.json.error.code, 'organisations.invitee_not_found');
    const bad = await head.client.api('POST', `/api/v1/organisations/${orgId}/members`, { login: employee.p.phone, role: 'head' });
    assert.equal(bad.json.error.code, 'organisations.invalid_role');
    const twice = await head.client.api('POST', `/api/v1/organisations/${orgId}/members`, { login: employee.p.snils, role: 'admin' });
    assert.equal(twice.json.error.code, 'organisations.already_member', 'SNILS finds the same person');

    const mine = await employee.client.api('GET', '/api/v1/organisations');
    const invitation = mine.json.memberships.find((m) => m.organisation_id === orgId);
    assert.equal(invitation.status, 'invited');
    memberId = invitation.member_id;
    assert.equal((await employee.client.api('GET', `/api/v1/organisations/${orgId}`)).status, 404, 'not before accepting');
    const list = await employee.client.get('/organisations');
    assert.ok(list.body.includes(`/organisations/invitations/${memberId}/accept`));
    const accepted = await employee.client.postForm(`/organisations/invitations/${memberId}/accept`, {});
    assert.equal(accepted.status, 303);

    const view = await employee.client.api('GET', `/api/v1/organisations/${orgId}`);
    assert.equal(view.status, 200);
    assert.equal(view.json.role, 'employee');
    assert.deepEqual(view.json.services, [services[0]]);
    // Only services of the catalog for legal entities can be given.
    const role = await head.client.api('POST', `/api/v1/organisations/${orgId}/members/${memberId}`,
      { role: 'employee', services: [services[0], 'no-such-service', '../x', services[0]] });
    assert.equal(role.status, 200, role.body);
    assert.deepEqual((await employee.client.api('GET', `/api/v1/organisations/${orgId}`)).json.services, [services[0]]);
    const badServices = await head.client.api('POST', `/api/v1/organisations/${orgId}/members/${memberId}`,
      { role: 'employee', services: 'all' });
    assert.equal(badServices.status, 400);
    assert.equal(view.json.members, undefined, 'an employee does not see the members');
    // Acting for it: the switcher by the name, without JavaScript.
    const before = await employee.client.get('/account');
    assert.match(before.body, /name="to" value="\d+"/);
    const sw = await employee.client.postForm('/organisations/switch', { to: String(orgId) });
    assert.equal(sw.status, 303);
    const after = await employee.client.get('/account');
    assert.ok(after.body.includes(`<span class="acting-for">`), 'the header names the organisation');
    assert.ok(after.body.includes(escapeHtml(org.short_name)));
    assert.equal((await employee.client.api('GET', '/api/v1/organisations')).json.acting_for, orgId);
    // An employee manages nobody.
    const invite2 = await employee.client.api('POST', `/api/v1/organisations/${orgId}/members`, { login: stranger.p.phone, role: 'employee' });
    assert.equal(invite2.status, 404);
  });

  test('an employee without a role sees nothing of the organisation', async () => {
    const r = await head.client.api('POST', `/api/v1/organisations/${orgId}/members`, { login: roleless.p.phone, role: 'none' });
    assert.equal(r.status, 201, r.body);
    rolelessId = r.json.member_id;
    const ok = await roleless.client.api('POST', `/api/v1/organisations/invitations/${rolelessId}/accept`, {});
    assert.equal(ok.status, 200, ok.body);
    assert.equal((await roleless.client.api('GET', `/api/v1/organisations/${orgId}`)).status, 404);
    assert.equal((await roleless.client.get(`/organisations/${orgId}`)).status, 404);
    assert.equal((await roleless.client.api('POST', '/api/v1/organisations/switch', { to: String(orgId) })).status, 404);
  });

  test('another citizen gets 404 for every id they try', async () => {
    const c = stranger.client;
    for (const id of [orgId, orgId + 1, 0, -1, 'abc', '1e3', '99999999999999999999'])
      assert.equal((await c.api('GET', `/api/v1/organisations/${id}`)).status, 404, `organisation ${id}`);
    assert.equal((await c.get(`/organisations/${orgId}`)).status, 404);
    assert.equal((await c.get(`/organisations/${orgId}/members/${memberId}`)).status, 404);
    assert.equal((await c.api('POST', `/api/v1/organisations/${orgId}/members`, { login: stranger.p.phone, role: 'admin' })).status, 404);
    assert.equal((await c.api('POST', `/api/v1/organisations/${orgId}/members/${memberId}`, { role: 'admin' })).status, 404);
    assert.equal((await c.api('POST', `/api/v1/organisations/${orgId}/members/${memberId}/remove`, {})).status, 404);
    assert.equal((await c.api('POST', `/api/v1/organisations/invitations/${memberId}/accept`, {})).status, 404);
    assert.equal((await c.api('POST', '/api/v1/organisations/switch', { to: String(orgId) })).status, 404);
  });

  test('the head gives a role; an employee removed loses access at once', async () => {
    const role = await head.client.postForm(`/organisations/${orgId}/members/${rolelessId}`, { role: 'admin' });
    assert.equal(role.status, 303);
    assert.equal((await roleless.client.api('GET', `/api/v1/organisations/${orgId}`)).json.role, 'admin');
    // The head is nobody's to change, not even an administrator's.
    const headMember = (await head.client.api('GET', `/api/v1/organisations/${orgId}`)).json.members.find((m) => m.role === 'head');
    assert.equal((await roleless.client.api('POST', `/api/v1/organisations/${orgId}/members/${headMember.id}/remove`, {})).status, 404);

    const removed = await head.client.postForm(`/organisations/${orgId}/members/${memberId}/remove`, {});
    assert.equal(removed.status, 303);
    // The same session that acted for the organisation a moment ago.
    assert.equal((await employee.client.api('GET', `/api/v1/organisations/${orgId}`)).status, 404);
    assert.equal((await employee.client.get(`/organisations/${orgId}`)).status, 404);
    const page = await employee.client.get('/account');
    assert.ok(!page.body.includes('acting-for'), 'the header no longer names the organisation');
    assert.equal((await employee.client.api('GET', '/api/v1/organisations')).json.acting_for, 0);
    assert.equal((await employee.client.api('POST', `/api/v1/organisations/invitations/${memberId}/accept`, {})).status, 404,
      'an old invitation does not let them back');
  });

  test('an entrepreneur profile by OGRNIP, checked with the tax service', async () => {
    const { client, p } = await personAccount(stack, 'p0198');
    const own = organisations.find((o) => o.kind === 'entrepreneur' && o.person_id === 'p0198');
    const other = organisations.find((o) => o.kind === 'entrepreneur' && o.person_id === 'p0106');
    let r = await client.api('POST', '/api/v1/account/entrepreneur', { ogrnip: own.ogrnip.slice(0, 14) + String((Number(own.ogrnip[14]) + 1) % 10) });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'organisations.invalid');
    r = await client.api('POST', '/api/v1/account/entrepreneur', { ogrnip: other.ogrnip });
    assert.equal(r.json.error.code, 'organisations.not_yours');
    r = await client.api('POST', '/api/v1/account/entrepreneur', { ogrnip: '304500116000157' });
    assert.equal(r.json.error.code, 'organisations.not_in_register');
    const page = await client.postForm('/account/entrepreneur', { ogrnip: own.ogrnip });
    assert.equal(page.status, 303);
    r = await client.api('GET', '/api/v1/account/entrepreneur');
    assert.equal(r.json.registered, true);
    assert.equal(r.json.ogrnip, own.ogrnip);
    assert.equal(r.json.inn, p.inn);
    const shown = await client.get('/account/entrepreneur');
    assert.ok(shown.body.includes(escapeHtml(own.full_name)));
  });
});
