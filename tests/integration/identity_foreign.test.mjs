// A foreign citizen (ID-5) against real processes, on SQLite or PostgreSQL as
// the run chooses: registration, the profile with a foreign identity document
// checked by the Interior Ministry sandbox (data/registries/foreign_documents.json),
// bad input on every field, the ministry down, and the catalog's audience.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentityStack, registerViaApi, uniquePhone } from '../support/identity.mjs';

const aigerim = {
  surname_latin: 'Nurlanova', name_latin: 'Aigerim', surname_cyrillic: 'Нурланова', name_cyrillic: 'Айгерим',
  birth_date: '14.03.1992', citizenship: 'KZ', document_number: 'N 1234 5678', issue_date: '2021-05-20',
  expiry_date: '2031-05-19',
};

const setFault = (stack, registry, fault) => fetch(`${stack.registries.url}/admin/faults/${registry}`, {
  method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault),
}).then((r) => { assert.equal(r.status, 200); });

describe('foreign citizens (ID-5)', () => {
  let stack;
  before(async () => { stack = await startIdentityStack(); });
  after(async () => { await stack?.stop(); });

  async function foreigner() {
    const contact = uniquePhone();
    const client = stack.client();
    await registerViaApi(stack, client, { surname: 'Нурланова', name: 'Айгерим', contact });
    return client;
  }

  test('bad input on every field: a clear message per field, nothing stored', async () => {
    const c = await foreigner();
    const r = await c.api('POST', '/api/v1/account/foreign', {
      surname_latin: 'Нурланова', name_latin: '', surname_cyrillic: 'Nurlanova', name_cyrillic: 'Айгерим<script>',
      birth_date: '31.02.1992', citizenship: 'RU', document_number: '12', issue_date: '2030-01-01',
      expiry_date: 'yesterday', snils: '112-233-445 96', inn: '123',
    });
    assert.equal(r.status, 422, r.body);
    const f = r.json.error.fields;
    assert.equal(f.surname_latin.code, 'identity_foreign.error.latin_only');
    assert.equal(f.name_latin.code, 'identity.error.name_required');
    assert.equal(f.surname_cyrillic.code, 'identity_foreign.error.cyrillic_only');
    assert.ok(f.name_cyrillic, 'markup is no name');
    assert.equal(f.birth_date.code, 'profile.error.date_format');
    assert.equal(f.citizenship.code, 'identity_foreign.error.country');
    assert.equal(f.document_number.code, 'identity_foreign.error.document_format');
    assert.equal(f.issue_date.code, 'identity_foreign.error.issue_future');
    assert.equal(f.expiry_date.code, 'profile.error.date_format');
    assert.equal(f.snils.code, 'validation.snils.checksum');
    assert.ok(f.inn.code.startsWith('validation.inn_person'));
    for (const v of Object.values(f)) assert.ok(v.message && !v.message.includes('identity_foreign.'), v.message);
    const huge = await c.api('POST', '/api/v1/account/foreign', { ...aigerim, surname_latin: 'A'.repeat(100000) });
    assert.equal(huge.status, 422);
    const wrongType = await c.api('POST', '/api/v1/account/foreign', { ...aigerim, citizenship: ['KZ'] });
    assert.equal(wrongType.status, 400);
    const page = await c.postForm('/account/foreign', { ...aigerim, expiry_date: '2024-01-01' });
    assert.equal(page.status, 422);
    assert.match(page.body, /id="expiry_date"[^>]*aria-invalid="true"/);
    assert.match(page.body, /value="Nurlanova"/, 'what was typed is shown again');
    assert.equal((await c.api('GET', '/api/v1/account/foreign')).json.saved, false);
  });

  test('registration and a profile the ministry vouches for: a standard foreign account', async () => {
    const c = await foreigner();
    const saved = await c.postForm('/account/foreign', aigerim);
    assert.equal(saved.status, 303, saved.body);
    const me = await c.api('GET', '/api/v1/account/foreign');
    assert.equal(me.json.saved, true);
    assert.equal(me.json.kind, 'foreign');
    assert.equal(me.json.check, 'valid');
    assert.equal(me.json.profile.document_number, 'N12345678');
    assert.equal(me.json.profile.birth_date, '1992-03-14');
    assert.equal((await c.api('GET', '/api/v1/account')).json.level, 'standard');
    const page = await c.get('/account/foreign');
    assert.equal(page.status, 200);
    assert.match(page.body, /value="N12345678"/);
    // Sealed at rest: the document number is not in the table in the clear.
    assert.equal(stack.scalar("SELECT COUNT(*) FROM identity_foreign_profiles WHERE data_enc LIKE '%N12345678%'").trim(), '0');
    // The catalog's audience follows the account's kind; "all" shows everything.
    assert.match((await c.get('/search?q=patent')).body, /<option value="foreigner" selected>/);
    assert.match((await c.get('/search?q=patent&audience=all')).body, /<option value="all" selected>/);
    const citizen = stack.client();
    await registerViaApi(stack, citizen, { contact: uniquePhone() });
    assert.doesNotMatch((await citizen.get('/search?q=patent')).body, /<option value="foreigner" selected>/);
  });

  test('someone else\'s document, an unknown one, and the ministry down', async () => {
    const c = await foreigner();
    let r = await c.api('POST', '/api/v1/account/foreign', { ...aigerim, name_latin: 'Aliya' });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.check, 'mismatch');
    assert.equal((await c.api('GET', '/api/v1/account')).json.level, 'simplified');
    r = await c.api('POST', '/api/v1/account/foreign', { ...aigerim, document_number: 'N00000000' });
    assert.equal(r.json.check, 'not_found');
    await setFault(stack, 'mvd', { down: true });
    try {
      r = await c.api('POST', '/api/v1/account/foreign', aigerim);
      assert.equal(r.status, 200);
      assert.equal(r.json.check, 'unavailable');
      const page = await c.get('/account/foreign');
      assert.match(page.body, /action="\/account\/foreign\/recheck"/, 'the page offers to check again');
    } finally {
      await setFault(stack, 'mvd', { down: false });
    }
    const again = await c.postForm('/account/foreign/recheck', {});
    assert.equal(again.status, 303);
    assert.equal((await c.api('GET', '/api/v1/account/foreign')).json.check, 'valid', 'nothing typed was lost');
    assert.equal((await c.api('GET', '/api/v1/account')).json.level, 'standard');
  });
});
