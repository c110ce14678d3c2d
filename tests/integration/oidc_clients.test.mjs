// The operator's page of relying parties (/oidc/clients, staff role "sso"):
// a site registered through the page signs a user in with openid-client; the
// secret is shown once and rotation makes the old one stop working; removal
// asks first and ends the site's tokens; citizens and staff of another role
// see no page; every field's bad input gets its own localized message.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Client, signInViaApi, uniqueEmail, strongPassword, htmlText } from '../support/identity.mjs';
import { startApplicationsStack } from '../support/applications.mjs';
import { runCli } from '../support/server.mjs';
import { oidc, jose, configure, signInThrough, unescapeHtml, clientId } from '../support/oidc.mjs';

let stack;
const tmp = mkdtempSync(path.join(tmpdir(), 'uslugi-oidc-clients-'));

test.before(async () => { stack = await startApplicationsStack(); });
test.after(async () => { await stack?.stop(); rmSync(tmp, { recursive: true, force: true }); });

// A staff account of `role`, signed in (a Client with cookies).
async function staff(role, { lang = null } = {}) {
  const email = uniqueEmail(), password = strongPassword();
  const file = path.join(tmp, randomBytes(4).toString('hex'));
  writeFileSync(file, password);
  const r = await runCli(['admin', 'create-staff', '--database', stack.database.url, '--data-key', stack.key, '--role', role,
    '--surname', 'Петров', '--name', 'Иван', '--email', email, '--password-file', file]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const c = new Client(stack.url, { lang });
  assert.equal((await signInViaApi(c, email, password)).status, 200);
  return c;
}

const citizen = () => stack.citizen('simplified');

// POSTs form pairs (a field may repeat, as checkboxes do) with the page's CSRF token.
async function post(c, target, pairs, { csrf = true } = {}) {
  if (!c.csrf) await c.session();
  const params = new URLSearchParams(csrf ? [['_csrf', c.csrf]] : []);
  for (const [k, v] of pairs) params.append(k, v);
  return c.request('POST', target, { body: params.toString(), contentType: 'application/x-www-form-urlencoded' });
}

const good = (id, extra = []) => [['id', id], ['name', 'Портал Калужской области'],
  ['redirect_uris', 'http://127.0.0.1:9/cb\r\nhttps://kaluga.example/cb'], ['scopes', 'fullname'], ['scopes', 'mobile'],
  ['min_level', 'simplified'], ['auth', 'client_secret_basic'], ['alg', 'RS256'], ['logo', ''], ['logout_uris', ''],
  ['backchannel', ''], ...extra];

const secretOf = (html) => unescapeHtml(html.match(/id="client-secret" value="([^"]+)"/)[1]);

test('an sso operator registers a site on the page, and openid-client signs a user in with it', async () => {
  const op = await staff('sso');
  const page = await op.get('/oidc/clients');
  assert.equal(page.status, 200);
  assert.match(page.body, /name="_csrf"/);
  assert.match(page.body, /action="\/oidc\/clients"/);

  const id = clientId('page');
  const added = await post(op, '/oidc/clients', good(id));
  assert.equal(added.status, 200, added.body.slice(0, 400));
  assert.match(added.body, new RegExp(`id="client-id">${id}<`));
  const secret = secretOf(added.body);
  assert.ok(secret.length >= 32);
  assert.equal(stack.scalar(`SELECT COUNT(*) FROM oidc_clients WHERE client_id = '${id}' AND secret_hash <> '${secret}'`), '1',
    'stored, and not as the secret itself');

  const listed = await op.get('/oidc/clients');
  assert.ok(listed.body.includes(id));
  assert.ok(listed.body.includes('https://kaluga.example/cb'));
  assert.ok(listed.body.includes('openid fullname mobile'));
  assert.ok(!listed.body.includes(secret), 'the secret is shown only once');

  const user = await citizen();
  const config = await configure(stack.server, { id, secret });
  const { claims, tokens } = await signInThrough(config, user, { scope: 'openid fullname' });
  assert.equal(claims.aud, id);
  const JWKS = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  await jose.jwtVerify(tokens.id_token, JWKS, { issuer: stack.url, audience: id });
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(typeof info.family_name, 'string');
});

test('rotating the secret shows the new one once; the old one no longer authenticates', async () => {
  const op = await staff('sso');
  const id = clientId('rot');
  const oldSecret = secretOf((await post(op, '/oidc/clients', good(id))).body);
  const rotated = await post(op, '/oidc/clients/rotate', [['client_id', id]]);
  assert.equal(rotated.status, 200);
  const newSecret = secretOf(rotated.body);
  assert.notEqual(newSecret, oldSecret);
  const introspect = async (secret) => (await fetch(`${stack.url}/oidc/introspect`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64') },
    body: 'token=nothing',
  })).status;
  assert.equal(await introspect(oldSecret), 401);
  assert.equal(await introspect(newSecret), 200);
  assert.equal((await post(op, '/oidc/clients/rotate', [['client_id', 'no-such-site']])).status, 404);
});

test('removal asks first, then removes the site and revokes its tokens', async () => {
  const op = await staff('sso');
  const id = clientId('rm');
  const secret = secretOf((await post(op, '/oidc/clients', good(id))).body);
  const user = await citizen();
  const config = await configure(stack.server, { id, secret });
  const { tokens } = await signInThrough(config, user, { scope: 'openid fullname' });

  const confirm = await op.get(`/oidc/clients/remove?client_id=${id}`);
  assert.equal(confirm.status, 200);
  assert.match(confirm.body, /action="\/oidc\/clients\/remove"/);
  assert.equal(stack.scalar(`SELECT COUNT(*) FROM oidc_clients WHERE client_id = '${id}'`), '1', 'the GET changes nothing');

  const removed = await post(op, '/oidc/clients/remove', [['client_id', id]]);
  assert.equal(removed.status, 303);
  assert.equal(removed.location, '/oidc/clients?done=removed');
  assert.equal(stack.scalar(`SELECT COUNT(*) FROM oidc_clients WHERE client_id = '${id}'`), '0');
  const info = await fetch(`${stack.url}/oidc/userinfo`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(info.status, 401);
  assert.equal((await op.get(`/oidc/clients/remove?client_id=${id}`)).status, 404);
  assert.equal((await post(op, '/oidc/clients/remove', [['client_id', id]])).status, 404);
});

test('a citizen and an operator of another role get no page; a POST without CSRF changes nothing', async () => {
  const anonymous = stack.client();
  const r = await anonymous.get('/oidc/clients');
  assert.equal(r.status, 303);
  assert.match(r.location, /^\/signin\?next=/);
  for (const c of [await citizen(), await staff('payments')]) {
    assert.equal((await c.get('/oidc/clients')).status, 404);
    assert.equal((await c.get('/oidc/clients/remove?client_id=x')).status, 404);
    const id = clientId('nope');
    assert.equal((await post(c, '/oidc/clients', good(id))).status, 404);
    assert.equal(stack.scalar(`SELECT COUNT(*) FROM oidc_clients WHERE client_id = '${id}'`), '0');
  }
  const op = await staff('sso');
  const id = clientId('csrf');
  const noCsrf = await post(op, '/oidc/clients', good(id), { csrf: false });
  assert.equal(noCsrf.status, 403);
  assert.equal(stack.scalar(`SELECT COUNT(*) FROM oidc_clients WHERE client_id = '${id}'`), '0');
});

// Each field's bad value and the message it must bring (the other fields good).
const bad = (id) => [
  ['id', 'X!', 'bad_id'],
  ['name', '', 'name_required'],
  ['name', 'я'.repeat(201), 'name_too_long'],
  ['redirect_uris', '', 'redirect_required'],
  ['redirect_uris', 'http://kaluga.example/cb', 'bad_redirect'],
  ['redirect_uris', 'https://kaluga.example/cb#x', 'bad_redirect'],
  ['scopes', 'everything', 'bad_scopes'],
  ['min_level', 'godlike', 'bad_min_level'],
  ['auth', 'none', 'bad_auth'],
  ['alg', 'HS256', 'bad_alg'],
  ['logo', 'https://elsewhere.example/logo.png', 'bad_logo'],
  ['logout_uris', 'ftp://kaluga.example/', 'bad_logout_uri'],
  ['backchannel', 'javascript:alert(1)', 'bad_backchannel'],
].map(([field, value, code]) => ({ field, value, code, id }));

test('bad input on every field: a field message in each language, status 422, nothing stored', async () => {
  for (const lang of ['ru', 'en', 'de', 'fr']) {
    const op = await staff('sso', { lang });
    for (const { field, value, code } of bad(clientId('bad'))) {
      const id = field === 'id' ? value : clientId('bad');
      const pairs = good(id).filter(([k]) => k !== field && !(field === 'scopes' && k === 'scopes'));
      if (field !== 'id') pairs.push([field, value]); else pairs.unshift(['id', value]);
      const res = await post(op, '/oidc/clients', pairs);
      assert.equal(res.status, 422, `${lang} ${field}=${value}`);
      assert.ok(res.body.includes(`id="${field}-error">${htmlText(`oidc_clients.error.${code}`, lang)}<`),
        `${lang} ${field}: ${code}`);
      assert.ok(res.body.includes(`href="#${field}"`), 'the summary links to the field');
      assert.equal(stack.scalar(`SELECT COUNT(*) FROM oidc_clients WHERE client_id = '${id}'`), '0');
    }
  }
});

test('private_key_jwt: a JWKS is required and must hold a usable key; a good one registers with no secret', async () => {
  const op = await staff('sso');
  const jwt = (id, jwks) => good(id, [['jwks', jwks]]).map(([k, v]) => (k === 'auth' ? [k, 'private_key_jwt'] : [k, v]));
  for (const [jwks, code] of [['', 'jwks_required'], ['{"keys": []}', 'bad_jwks'], ['not json', 'bad_jwks']]) {
    const res = await post(op, '/oidc/clients', jwt(clientId('jwt'), jwks));
    assert.equal(res.status, 422);
    assert.ok(res.body.includes(`id="jwks-error">${htmlText(`oidc_clients.error.${code}`)}<`), code);
  }
  const { publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const id = clientId('jwt');
  const res = await post(op, '/oidc/clients', jwt(id, JSON.stringify({ keys: [jwk] })));
  assert.equal(res.status, 200, res.body.slice(0, 300));
  assert.ok(!res.body.includes('id="client-secret"'));
  assert.equal(stack.scalar(`SELECT auth_method FROM oidc_clients WHERE client_id = '${id}'`), 'private_key_jwt');
});

test('a client id already taken is refused with a field message; the CLI and the page share the checks', async () => {
  const op = await staff('sso');
  const id = clientId('dup');
  assert.equal((await post(op, '/oidc/clients', good(id))).status, 200);
  const again = await post(op, '/oidc/clients', good(id));
  assert.equal(again.status, 409);
  assert.ok(again.body.includes(`id="id-error">${htmlText('oidc_clients.error.id_taken')}<`));
  const cli = await runCli(['admin', 'sso-client', 'add', '--database', stack.database.url, '--id', clientId('cli'),
    '--name', 'x', '--redirect-uri', 'https://a.example/cb', '--logo', 'https://elsewhere.example/l.png']);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /--logo must be a path on the portal/);
});
