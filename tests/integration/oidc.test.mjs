// Single sign-on (ID-7) driven by a certified client library: openid-client
// for discovery, code + PKCE, userinfo, refresh, revocation, introspection
// and logout, with both client authentications; jose verifies our tokens
// against our JWKS. The user's part (consent) goes through the pages.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startIdentityStack, newAccount, signInViaApi } from '../support/identity.mjs';
import { waitFor } from '../support/server.mjs';
import { oidc, jose, addClient, configure, signInThrough, authRequest, userAuthorizes, postForm, formFields } from '../support/oidc.mjs';

let stack;
const tmp = mkdtempSync(path.join(tmpdir(), 'uslugi-oidc-'));

test.before(async () => { stack = await startIdentityStack({ smtp: false }); });
test.after(async () => { await stack?.stop(); rmSync(tmp, { recursive: true, force: true }); });

// A signed-in user (a Client with cookies) and their account.
async function user() {
  const registered = await newAccount(stack);
  const c = stack.client();
  assert.equal((await signInViaApi(c, registered.contact, registered.password)).status, 200);
  return { client: c, ...registered };
}

test('discovery and JWKS describe what the provider does; both signing algorithms are published', async () => {
  const client = await addClient(stack.database);
  const config = await configure(stack.server, client);
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, stack.url);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.ok(meta.token_endpoint_auth_methods_supported.includes('private_key_jwt'));
  const jwks = await (await fetch(meta.jwks_uri)).json();
  assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  for (const k of jwks.keys) assert.equal(k.d, undefined, 'no private part is published');
});

test('code + PKCE with client_secret_basic: ID token (acr, nonce, pairwise sub), userinfo with exactly the consented data, recorded as an access', async () => {
  const u = await user();
  const client = await addClient(stack.database, { scopes: 'openid fullname mobile snils', name: 'Портал Тульской области' });
  const config = await configure(stack.server, client);
  const first = await signInThrough(config, u.client, { scope: 'openid fullname mobile' });
  assert.equal(first.consentShown, true);
  assert.equal(first.claims.acr, 'simplified');
  assert.equal(first.claims.nonce, first.req.nonce);
  assert.equal(first.claims.aud, client.id);
  const JWKS = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  const verified = await jose.jwtVerify(first.tokens.id_token, JWKS, { issuer: stack.url, audience: client.id });
  assert.equal(verified.protectedHeader.alg, 'RS256');
  const at = await jose.jwtVerify(first.tokens.access_token, JWKS, { issuer: stack.url, typ: 'at+jwt' });
  assert.equal(at.payload.scope, 'openid fullname mobile');

  const info = await oidc.fetchUserInfo(config, first.tokens.access_token, first.claims.sub);
  assert.equal(info.family_name, u.surname);
  assert.equal(info.given_name, u.name);
  assert.equal(info.phone_number, u.contact);
  assert.equal(info.snils, undefined, 'snils was not asked for, so it is not given');

  // The consent is remembered: the second sign-in asks nothing.
  const second = await signInThrough(config, u.client, { scope: 'openid fullname' });
  assert.equal(second.consentShown, false);
  assert.equal(second.claims.sub, first.claims.sub);

  const log = await u.client.api('GET', '/api/v1/account/access-log');
  const read = log.json.entries.find((e) => e.actor_kind === 'site' && e.actor_name === 'Портал Тульской области');
  assert.ok(read, JSON.stringify(log.json));
  assert.deepEqual(read.fields, ['surname', 'name', 'patronymic', 'phone']);
});

test('refresh tokens rotate; a used one presented again revokes the whole family', async () => {
  const u = await user();
  const client = await addClient(stack.database);
  const config = await configure(stack.server, client);
  const { tokens, claims } = await signInThrough(config, u.client);
  const r1 = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(r1.refresh_token, tokens.refresh_token);
  assert.equal(r1.claims().sub, claims.sub);
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  // The family is gone: the newest refresh token and the access token stop working too.
  await assert.rejects(oidc.refreshTokenGrant(config, r1.refresh_token), (e) => e.error === 'invalid_grant');
  await assert.rejects(oidc.fetchUserInfo(config, r1.access_token, claims.sub));
});

test('revocation and introspection: only the token\'s own site learns about it; alg none and foreign keys are inactive', async () => {
  const u = await user();
  const a = await addClient(stack.database);
  const b = await addClient(stack.database);
  const configA = await configure(stack.server, a);
  const configB = await configure(stack.server, b);
  const { tokens } = await signInThrough(configA, u.client);
  assert.equal((await oidc.tokenIntrospection(configA, tokens.access_token)).active, true);
  assert.equal((await oidc.tokenIntrospection(configA, tokens.refresh_token)).active, true);
  assert.equal((await oidc.tokenIntrospection(configB, tokens.access_token)).active, false, 'another site learns nothing');
  await assert.rejects(oidc.refreshTokenGrant(configB, tokens.refresh_token), (e) => e.error === 'invalid_grant');

  const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url'));
  const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url') + '.' +
    Buffer.from(JSON.stringify(payload)).toString('base64url') + '.';
  assert.equal((await oidc.tokenIntrospection(configA, none)).active, false);
  const { privateKey } = await jose.generateKeyPair('ES256');
  const header = JSON.parse(Buffer.from(tokens.access_token.split('.')[0], 'base64url'));
  const forged = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'at+jwt' }).sign(privateKey);
  assert.equal((await oidc.tokenIntrospection(configA, forged)).active, false);
  const unknownKid = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'not-ours' }).sign(privateKey);
  assert.equal((await oidc.tokenIntrospection(configA, unknownKid)).active, false);
  const ui = await fetch(stack.url + '/oidc/userinfo', { headers: { Authorization: `Bearer ${forged}` } });
  assert.equal(ui.status, 401);
  assert.match(ui.headers.get('www-authenticate'), /invalid_token/);

  await oidc.tokenRevocation(configA, tokens.refresh_token);
  assert.equal((await oidc.tokenIntrospection(configA, tokens.access_token)).active, false, 'the grant ended with it');
  await assert.rejects(oidc.fetchUserInfo(configA, tokens.access_token, payload.sub));
});

test('private_key_jwt: a site signs in with its own key; a replayed assertion and a wrong key are refused', async () => {
  const u = await user();
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'site-key-1', alg: 'ES256', use: 'sig' };
  const jwksFile = path.join(tmp, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
  const client = await addClient(stack.database, { auth: 'private_key_jwt', jwksFile, alg: 'ES256' });
  assert.equal(client.secret, null, 'no secret for a key-authenticated site');
  const config = await configure(stack.server, client, {
    auth: oidc.PrivateKeyJwt({ key: privateKey, kid: 'site-key-1' }),
    metadata: { id_token_signed_response_alg: 'ES256' },
  });
  const { tokens, claims } = await signInThrough(config, u.client);
  assert.equal(claims.aud, client.id);
  const r = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(r.access_token);

  const tokenUrl = config.serverMetadata().token_endpoint;
  const assertion = await new jose.SignJWT({ jti: 'once-' + Date.now() }).setProtectedHeader({ alg: 'ES256', kid: 'site-key-1' })
    .setIssuer(client.id).setSubject(client.id).setAudience(tokenUrl).setIssuedAt().setExpirationTime('2m').sign(privateKey);
  const form = { grant_type: 'refresh_token', refresh_token: r.refresh_token,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
  assert.equal((await postForm(tokenUrl, form)).status, 200);
  const replay = await postForm(tokenUrl, form);
  assert.equal(replay.status, 401);
  assert.equal(replay.json.error, 'invalid_client');
  const other = await jose.generateKeyPair('ES256');
  const wrongKey = await new jose.SignJWT({ jti: 'x-' + Date.now() }).setProtectedHeader({ alg: 'ES256', kid: 'site-key-1' })
    .setIssuer(client.id).setSubject(client.id).setAudience(tokenUrl).setIssuedAt().setExpirationTime('2m').sign(other.privateKey);
  assert.equal((await postForm(tokenUrl, { ...form, client_assertion: wrongKey })).json.error, 'invalid_client');
});

test('bad authorization requests: redirect URI not registered exactly, no PKCE, a scope the site may not ask for', async () => {
  const u = await user();
  const client = await addClient(stack.database, { scopes: 'openid fullname' });
  const config = await configure(stack.server, client);
  for (const redirect of ['http://127.0.0.1:9/cb/', 'http://127.0.0.1:9/c', 'http://127.0.0.1:9/cb?x=1', 'http://evil.test/cb']) {
    const req = await authRequest(config, { redirect });
    const res = await u.client.get(req.url.href);
    assert.equal(res.status, 400, redirect);
    assert.equal(res.location, null, 'never sent to an unregistered address');
  }
  const unknown = await u.client.get(`/oidc/authorize?client_id=nobody&redirect_uri=${encodeURIComponent(client.redirect)}`);
  assert.equal(unknown.status, 400);

  const noPkce = new URL(stack.url + '/oidc/authorize');
  for (const [k, v] of Object.entries({ client_id: client.id, redirect_uri: client.redirect, response_type: 'code', scope: 'openid', state: 's1' }))
    noPkce.searchParams.set(k, v);
  const r1 = await u.client.get(noPkce.href);
  assert.equal(r1.status, 302);
  const back = new URL(r1.location);
  assert.equal(back.searchParams.get('error'), 'invalid_request');
  assert.equal(back.searchParams.get('state'), 's1');

  const tooMuch = await authRequest(config, { scope: 'openid fullname snils' });
  const r2 = await u.client.get(tooMuch.url.href);
  assert.equal(new URL(r2.location).searchParams.get('error'), 'invalid_scope');
});

test('the code: wrong PKCE verifier, reuse (which revokes what it gave), expiry, a wrong client secret', async () => {
  const u = await user();
  const client = await addClient(stack.database);
  const config = await configure(stack.server, client);
  const tokenUrl = config.serverMetadata().token_endpoint;
  const creds = { id: client.id, secret: client.secret };
  const code = async () => {
    const req = await authRequest(config);
    const { callback } = await userAuthorizes(u.client, req.url);
    return { code: callback.searchParams.get('code'), req };
  };

  const a = await code();
  const wrongVerifier = await postForm(tokenUrl, { grant_type: 'authorization_code', code: a.code, redirect_uri: client.redirect,
    code_verifier: oidc.randomPKCECodeVerifier() }, creds);
  assert.equal(wrongVerifier.json.error, 'invalid_grant');
  const noVerifier = await code();
  assert.equal((await postForm(tokenUrl, { grant_type: 'authorization_code', code: noVerifier.code, redirect_uri: client.redirect }, creds)).json.error, 'invalid_grant');

  const b = await code();
  const fields = { grant_type: 'authorization_code', code: b.code, redirect_uri: client.redirect, code_verifier: b.req.verifier };
  const wrongSecret = await postForm(tokenUrl, fields, { id: client.id, secret: client.secret + 'x' });
  assert.equal(wrongSecret.status, 401);
  assert.equal(wrongSecret.json.error, 'invalid_client');
  assert.match(wrongSecret.headers.get('www-authenticate'), /^Basic/);
  const ok = await postForm(tokenUrl, fields, creds);
  assert.equal(ok.status, 200);
  const again = await postForm(tokenUrl, fields, creds);
  assert.equal(again.json.error, 'invalid_grant');
  const ui = await fetch(stack.url + '/oidc/userinfo', { headers: { Authorization: `Bearer ${ok.json.access_token}` } });
  assert.equal(ui.status, 401, 'tokens issued from a reused code are revoked');
  assert.equal((await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: ok.json.refresh_token }, creds)).json.error, 'invalid_grant');

  const c = await code();
  stack.scalar(`UPDATE oidc_codes SET expires_at = 1 WHERE used_at IS NULL AND client_id = '${client.id}'`);
  const expired = await postForm(tokenUrl, { grant_type: 'authorization_code', code: c.code, redirect_uri: client.redirect, code_verifier: c.req.verifier }, creds);
  assert.equal(expired.json.error, 'invalid_grant');
  assert.match(expired.json.error_description, /expired/);
});

test('a wrong nonce is caught by the client: the ID token carries the nonce of its own request', async () => {
  const u = await user();
  const client = await addClient(stack.database);
  const config = await configure(stack.server, client);
  const req = await authRequest(config);
  const { callback } = await userAuthorizes(u.client, req.url);
  await assert.rejects(oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: oidc.randomNonce() }),
  (e) => /nonce/.test(e.cause?.message ?? ''));
});

test('refusing consent sends access_denied; a revoked consent ends the site\'s tokens at once and asks again', async () => {
  const u = await user();
  const client = await addClient(stack.database, { scopes: 'openid fullname' });
  const config = await configure(stack.server, client);
  const refused = await authRequest(config);
  const { callback } = await userAuthorizes(u.client, refused.url, { decision: 'deny' });
  assert.equal(callback.searchParams.get('error'), 'access_denied');
  assert.equal(callback.searchParams.get('state'), refused.state);

  const { tokens, claims } = await signInThrough(config, u.client);
  const sites = await u.client.api('GET', '/api/v1/oidc/sites');
  assert.deepEqual(sites.json.sites.map((s) => [s.client_id, s.scopes]), [[client.id, ['fullname']]]);
  const revoked = await u.client.api('POST', '/api/v1/oidc/sites/revoke', { client_id: client.id });
  assert.equal(revoked.status, 200);
  await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, claims.sub));
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  assert.equal((await u.client.api('GET', '/api/v1/oidc/sites')).json.sites.length, 0);
  const again = await signInThrough(config, u.client);
  assert.equal(again.consentShown, true);
  assert.equal((await u.client.api('POST', '/api/v1/oidc/sites/revoke', { client_id: 'nobody' })).status, 404);
});

test('a site that needs the standard level: a simplified account is told what is missing and can come back', async () => {
  const u = await user();
  const client = await addClient(stack.database, { minLevel: 'standard', name: 'Запись к врачу' });
  const config = await configure(stack.server, client);
  const req = await authRequest(config);
  const res = await u.client.get(req.url.href);
  assert.equal(res.status, 403);
  assert.match(res.body, /Запись к врачу/);
  assert.match(res.body, /href="\/access\?need=standard&amp;next=%2Foidc%2Fauthorize%3F/);
  // acr_values asks for more than the client's minimum.
  const client2 = await addClient(stack.database);
  const config2 = await configure(stack.server, client2);
  const req2 = await authRequest(config2, { extra: { acr_values: 'confirmed' } });
  assert.equal((await u.client.get(req2.url.href)).status, 403);
  const none = await authRequest(config2, { extra: { acr_values: 'confirmed', prompt: 'none' } });
  assert.equal(new URL((await u.client.get(none.url.href)).location).searchParams.get('error'), 'interaction_required');
});

test('not signed in: the user signs in first and comes back to the authorization', async () => {
  const client = await addClient(stack.database);
  const config = await configure(stack.server, client);
  const req = await authRequest(config);
  const anon = stack.client();
  const res = await anon.get(req.url.href);
  assert.equal(res.status, 303);
  const next = new URL(res.location, stack.url);
  assert.equal(next.pathname, '/signin');
  assert.ok(next.searchParams.get('next').startsWith('/oidc/authorize?'));
  const none = await authRequest(config, { extra: { prompt: 'none' } });
  assert.equal(new URL((await anon.get(none.url.href)).location).searchParams.get('error'), 'login_required');
});

test('one site never gets another user\'s data: subjects are pairwise and tokens are bound to their user', async () => {
  const u1 = await user();
  const u2 = await user();
  const a = await addClient(stack.database, { scopes: 'openid mobile' });
  const b = await addClient(stack.database, { scopes: 'openid mobile' });
  const configA = await configure(stack.server, a);
  const configB = await configure(stack.server, b);
  const s1a = await signInThrough(configA, u1.client, { scope: 'openid mobile' });
  const s1b = await signInThrough(configB, u1.client, { scope: 'openid mobile' });
  const s2a = await signInThrough(configA, u2.client, { scope: 'openid mobile' });
  assert.notEqual(s1a.claims.sub, s1b.claims.sub, 'two sites cannot join their users by sub');
  assert.notEqual(s1a.claims.sub, s2a.claims.sub);
  assert.equal((await oidc.fetchUserInfo(configA, s1a.tokens.access_token, s1a.claims.sub)).phone_number, u1.contact);
  assert.equal((await oidc.fetchUserInfo(configA, s2a.tokens.access_token, s2a.claims.sub)).phone_number, u2.contact);
  // Site B presenting site A's token gets the data of A's user only through A's grant; B's introspection sees nothing.
  assert.equal((await oidc.tokenIntrospection(configB, s1a.tokens.access_token)).active, false);
  // Revoking B's access leaves A's untouched.
  await u1.client.api('POST', '/api/v1/oidc/sites/revoke', { client_id: b.id });
  await assert.rejects(oidc.fetchUserInfo(configB, s1b.tokens.access_token, s1b.claims.sub));
  assert.equal((await oidc.fetchUserInfo(configA, s1a.tokens.access_token, s1a.claims.sub)).phone_number, u1.contact);
});

test('RP-initiated logout with back-channel logout: the user confirms, every site of that sign-in gets a signed logout token', async () => {
  const received = [];
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { received.push(new URLSearchParams(body).get('logout_token')); res.writeHead(200).end(); });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  try {
    const port = sink.address().port;
    const u = await user();
    const client = await addClient(stack.database, { logoutUri: 'http://127.0.0.1:9/bye', backchannel: `http://127.0.0.1:${port}/backchannel` });
    const config = await configure(stack.server, client);
    const { tokens, claims } = await signInThrough(config, u.client);
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:9/bye', state: 'st-9' });
    const page = await u.client.get(url.href);
    assert.equal(page.status, 200, 'a GET only asks; signing out needs the user\'s POST');
    const fields = formFields(page.body, '/oidc/logout');
    const done = await u.client.postForm('/oidc/logout', fields);
    assert.equal(done.status, 303);
    assert.equal(done.location, 'http://127.0.0.1:9/bye?state=st-9');
    assert.equal((await u.client.session()).signed_in, false);
    await waitFor(async () => received.length, (n) => n > 0, { what: 'the back-channel logout token' });
    const JWKS = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
    const { payload } = await jose.jwtVerify(received[0], JWKS, { issuer: stack.url, audience: client.id, typ: 'logout+jwt' });
    assert.equal(payload.sub, claims.sub);
    assert.equal(payload.sid, claims.sid);
    assert.ok(payload.events['http://schemas.openid.net/event/backchannel-logout']);
    assert.equal(payload.nonce, undefined);
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, claims.sub));

    const bad = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    assert.equal((await stack.client().get(bad.href)).status, 400);
  } finally {
    sink.close();
  }
});

test('sso-client admin: list, rotate-secret (the old secret stops working), remove (tokens end)', async () => {
  const { runCli } = await import('../support/server.mjs');
  const u = await user();
  const client = await addClient(stack.database);
  const config = await configure(stack.server, client);
  const { tokens, claims } = await signInThrough(config, u.client);
  const list = await runCli(['admin', 'sso-client', 'list', '--database', stack.database.url]);
  assert.equal(list.code, 0);
  assert.match(list.stdout, new RegExp(`^${client.id}\\t`, 'm'));
  const rotated = await runCli(['admin', 'sso-client', 'rotate-secret', '--database', stack.database.url, '--id', client.id]);
  assert.equal(rotated.code, 0);
  const secret = rotated.stdout.match(/client_secret: (\S+)/)[1];
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.status === 401);
  const fresh = await configure(stack.server, { id: client.id, secret });
  const r = await oidc.refreshTokenGrant(fresh, tokens.refresh_token);
  const bad = await runCli(['admin', 'sso-client', 'add', '--database', stack.database.url, '--id', 'x-bad', '--name', 'X',
    '--redirect-uri', 'http://example.test/cb']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /redirect-uri/);
  const removed = await runCli(['admin', 'sso-client', 'remove', '--database', stack.database.url, '--id', client.id]);
  assert.equal(removed.code, 0);
  const ui = await fetch(stack.url + '/oidc/userinfo', { headers: { Authorization: `Bearer ${r.access_token}` } });
  assert.equal(ui.status, 401);
  assert.ok(claims.sub);
});

test('token endpoint input: wrong content type, unknown grant type, no credentials — JSON errors with stable codes', async () => {
  const client = await addClient(stack.database);
  const url = stack.url + '/oidc/token';
  const json = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 400);
  assert.equal((await json.json()).error, 'invalid_request');
  assert.equal((await postForm(url, { grant_type: 'password' }, { id: client.id, secret: client.secret })).json.error, 'unsupported_grant_type');
  const anon = await postForm(url, { grant_type: 'authorization_code', code: 'x' });
  assert.equal(anon.status, 401);
  assert.equal(anon.json.error, 'invalid_client');
  const garbage = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic %%%' }, body: 'grant_type=authorization_code' });
  assert.equal(garbage.status, 401);
});

test('deleting the account ends what every site was given', async () => {
  const u = await user();
  const client = await addClient(stack.database);
  const config = await configure(stack.server, client);
  const { tokens, claims } = await signInThrough(config, u.client);
  await u.client.get('/account/security/delete');
  const done = await u.client.postForm('/account/security/delete', { password: u.password, confirm: 'on' });
  assert.equal(done.status, 200, 'the page that says the account is deleted');
  await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, claims.sub));
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
  const accountId = Number(stack.scalar(`SELECT account_id FROM oidc_grants WHERE client_id = '${client.id}'`));
  assert.ok(accountId > 0);
  assert.equal(stack.scalar(`SELECT COUNT(*) FROM oidc_consents WHERE account_id = ${accountId}`), '0');
});

test('signing out with the portal\'s own button also ends the sites\' sign-ins over the back channel', async () => {
  const received = [];
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { received.push(new URLSearchParams(body).get('logout_token')); res.writeHead(200).end(); });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  try {
    const u = await user();
    const client = await addClient(stack.database, { backchannel: `http://127.0.0.1:${sink.address().port}/bcl` });
    const config = await configure(stack.server, client);
    const { tokens, claims } = await signInThrough(config, u.client);
    const out = await u.client.api('POST', '/api/v1/identity/signout', {});
    assert.equal(out.status, 200);
    await waitFor(async () => received.length, (n) => n > 0, { what: 'the back-channel logout token' });
    const { payload } = await jose.jwtVerify(received[0], jose.createRemoteJWKSet(new URL(stack.url + '/oidc/jwks')),
      { issuer: stack.url, audience: client.id });
    assert.equal(payload.sid, claims.sid);
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, claims.sub));
  } finally {
    sink.closeAllConnections();
    sink.close();
  }
});
