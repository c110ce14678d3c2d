// The "addresses" scope of single sign-on (ID-7, issue #15) with openid-client:
// discovery lists it, the consent screen names it in words, a site given it
// receives exactly the cabinet's address as OpenID Connect's "address" claim
// (formatted and structured), a site without it receives none, and the read
// is recorded in "Who accessed my data".
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries } from '../support/registries.mjs';
import { Client, registerViaApi, uniquePhone, smsMessages, htmlText } from '../support/identity.mjs';
import { oidc, addClient, configure, signInThrough, authRequest } from '../support/oidc.mjs';

let registries, database, server;

test.before(async () => {
  registries = await startRegistries();
  database = freshDatabase();
  // The demo catalog holds the regions an address names.
  server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
    '--data-key', randomBytes(32).toString('hex')], { database, seed: true });
});

test.after(async () => {
  await server?.stop();
  await registries?.stop();
  database?.drop();
});

async function user() {
  const client = new Client(server.url);
  const nextSmsCode = async (phone) => {
    const m = await waitFor(() => smsMessages(registries, phone), (l) => l.length > 0, { what: 'an SMS code' });
    return m[0].text.match(/\d{6}/)[0];
  };
  const registered = await registerViaApi({ nextSmsCode }, client, { contact: uniquePhone() });
  return { client, ...registered };
}

test('a site with the addresses scope gets exactly the address; one without it gets none; the read is recorded', async () => {
  const u = await user();
  const saved = await u.client.api('POST', '/api/v1/account/addresses/registration',
    { region: '59', settlement: 'Пермь', street: 'ул. Ленина', house: '1', flat: '3', postcode: '614000' });
  assert.equal(saved.status, 200, saved.body);
  await u.client.api('POST', '/api/v1/account/addresses/postal',
    { region: '77', settlement: 'Москва', house: '5', postcode: '101000' });

  const withScope = await addClient(database, { scopes: 'openid fullname addresses', name: 'Портал Пермского края' });
  const config = await configure(server, withScope);
  assert.ok(config.serverMetadata().scopes_supported.includes('addresses'));
  assert.ok(config.serverMetadata().claims_supported.includes('address'));

  // The consent screen names the address in words.
  const req = await authRequest(config, { scope: 'openid fullname addresses' });
  const consent = await u.client.get(req.url.href);
  assert.equal(consent.status, 200);
  assert.ok(consent.body.includes(htmlText('oidc.scope.addresses.text')), 'the consent screen lists the address');

  const first = await signInThrough(config, u.client, { scope: 'openid fullname addresses' });
  const info = await oidc.fetchUserInfo(config, first.tokens.access_token, first.claims.sub);
  assert.deepEqual(info.address, {
    formatted: '614000, Пермский край, Пермь, ул. Ленина, д. 1, кв. 3',
    street_address: 'ул. Ленина, д. 1, кв. 3',
    locality: 'Пермь',
    region: 'Пермский край',
    postal_code: '614000',
    country: 'RU',
  }, 'the place of residence, not the postal address');
  assert.equal(first.claims.address, undefined, 'personal data only through userinfo');

  const without = await addClient(database, { scopes: 'openid fullname', name: 'Портал Тульской области' });
  const config2 = await configure(server, without);
  const second = await signInThrough(config2, u.client, { scope: 'openid fullname' });
  const info2 = await oidc.fetchUserInfo(config2, second.tokens.access_token, second.claims.sub);
  assert.equal(info2.address, undefined);
  assert.equal(info2.family_name, u.surname);
  // Nor can it ask for a scope it was not registered for.
  const refused = await authRequest(config2, { scope: 'openid addresses' });
  const answer = await u.client.get(refused.url.href);
  assert.notEqual(answer.status, 200);
  if (answer.location) assert.match(answer.location, /error=invalid_scope/);

  const log = await u.client.api('GET', '/api/v1/account/access-log');
  const reads = log.json.entries.filter((e) => e.actor_kind === 'site');
  const perm = reads.find((e) => e.actor_name === 'Портал Пермского края');
  assert.ok(perm, JSON.stringify(log.json));
  assert.ok(perm.fields.includes('addresses'), JSON.stringify(perm));
  const tula = reads.find((e) => e.actor_name === 'Портал Тульской области');
  assert.ok(tula && !tula.fields.includes('addresses'), JSON.stringify(tula));
});

test('a user without any address gives a site with the scope no address claim', async () => {
  const u = await user();
  const site = await addClient(database, { scopes: 'openid addresses' });
  const config = await configure(server, site);
  const r = await signInThrough(config, u.client, { scope: 'openid addresses' });
  const info = await oidc.fetchUserInfo(config, r.tokens.access_token, r.claims.sub);
  assert.equal(info.address, undefined);
  assert.ok(info.sub);
});
