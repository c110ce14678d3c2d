// ID-3(c) against real processes: `uslugi serve` trusting a demo CA that
// scripts/demo-qes.sh issues into a temporary folder (openssl with Debian's
// GOST engine), the registries sandbox for the standard level. The demo person
// p0001 registers, fills in the profile, reaches standard, and confirms the
// identity with a GOST signature of the portal's challenge, through the JSON
// API and through the pages without JavaScript (multipart upload). Every
// failure branch gets its stable code: untrusted, expired, revoked, no SNILS,
// another person, another challenge, a damaged signature, a PEM that is not a
// signature, a truncated CMS, a 10 MB file, no tries left, a challenge of
// another session.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, waitFor } from '../support/server.mjs';
import { person } from '../support/registries.mjs';
import { startIdentityStack, registerViaApi, uniquePhone, htmlText, text, signInViaApi } from '../support/identity.mjs';

const script = path.join(root, 'scripts/demo-qes.sh');
const ca = mkdtempSync(path.join(tmpdir(), 'uslugi-qes-'));
execFileSync(script, ['issue', ca], { stdio: 'ignore' });
// The portal's trust folder starts with the CA alone; its CRL is dropped in
// during the run, as an operator publishes a new one (no restart).
const trustDir = path.join(ca, 'portal-trust');
execFileSync('mkdir', [trustDir]);
copyFileSync(path.join(ca, 'trust/ca.pem'), path.join(trustDir, 'ca.pem'));

// A detached signature of `bytes` by demo certificate `name` (DER, or PEM text).
function sign(name, bytes, form = 'der') {
  const input = path.join(ca, `challenge-${process.hrtime.bigint()}.txt`);
  const output = `${input}.${form}`;
  writeFileSync(input, bytes);
  execFileSync(script, ['sign', ca, name, input, output, form], { stdio: 'ignore' });
  return readFileSync(output);
}

// The ID-2 fields of a demo person, as a user types them.
function profileOf(p) {
  return {
    surname: p.surname, name: p.name, patronymic: p.patronymic, gender: p.gender,
    birth_date: p.birth_date, birth_place: p.birth_place, snils: p.snils, citizenship: p.citizenship,
    document_type: 'passport_rf', passport: `${p.passport.series} ${p.passport.number}`,
    issue_date: p.passport.issue_date, issued_by: p.passport.issuer, department_code: p.passport.department_code,
  };
}

// An account of demo person `id` at the standard level (profile checked by the sandbox).
async function standardAccount(stack, id) {
  const p = person(id);
  const client = stack.client();
  const reg = await registerViaApi(stack, client, { surname: p.surname, name: p.name, contact: uniquePhone() });
  const put = await client.api('PUT', '/api/v1/account/profile', { ...profileOf(p), submit: true });
  assert.ok([200, 202].includes(put.status), put.body);
  await waitFor(async () => (await client.api('GET', '/api/v1/account')).json.level, (l) => l === 'standard',
    { what: `${id} at the standard level`, timeoutMs: 30000 });
  return { client, password: reg.password, contact: reg.contact, p };
}

async function newChallenge(client) {
  const res = await client.api('POST', '/api/v1/account/confirm/signature/challenge', {});
  assert.equal(res.status, 201, res.body);
  return res.json;
}

const upload = (client, token, signature) =>
  client.api('POST', '/api/v1/account/confirm/signature', { token, signature: Buffer.from(signature).toString('base64') });

describe('identity: confirmed level by a qualified signature (ID-3c)', () => {
  let stack;

  before(async () => {
    stack = await startIdentityStack({ extraArgs: ['--qes-trust-dir', trustDir] });
  });

  after(async () => {
    await stack?.stop();
    rmSync(ca, { recursive: true, force: true });
  });

  test('a simplified account is told to reach standard first', async () => {
    const client = stack.client();
    await registerViaApi(stack, client, { contact: uniquePhone() });
    const info = await client.api('GET', '/api/v1/account/confirm/signature');
    assert.equal(info.status, 200);
    assert.equal(info.json.available, false);
    assert.equal(info.json.refusal, 'not_standard');
    assert.equal(info.json.authorities, 1);
    assert.equal(info.json.gost, true);
    const res = await client.api('POST', '/api/v1/account/confirm/signature/challenge', {});
    assert.equal(res.status, 403);
    assert.equal(res.json.error.code, 'signature.not_standard');
    const page = await client.get('/account/confirm/signature');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(htmlText('identity_signature.error.not_standard')));
    assert.equal(stack.scalar('SELECT COUNT(*) FROM identity_signature_challenges'), '0');
  });

  test('API: every failure branch, then a GOST signature confirms the account', async () => {
    const { client } = await standardAccount(stack, 'p0001');
    let c = await newChallenge(client);
    assert.match(c.challenge, /^uslugi identity confirmation/);
    assert.ok(c.challenge.includes(`challenge: ${c.token}`));
    // Only the hash of the token is stored.
    assert.equal(stack.scalar(`SELECT COUNT(*) FROM identity_signature_challenges WHERE token_hash = '${c.token}'`), '0');

    const expectRefusal = async (signature, code, status, token = c.token) => {
      const res = await upload(client, token, signature);
      assert.equal(res.status, status, `${code}: ${res.body}`);
      assert.equal(res.json.error.code, `signature.${code}`, res.body);
      assert.ok(res.json.error.message.length > 10);
      return res.json.error;
    };
    // Without the authority's CRL nobody can say the certificate was not revoked.
    await expectRefusal(sign('person', c.challenge), 'revocation_unknown', 422);
    copyFileSync(path.join(ca, 'trust/crl.pem'), path.join(trustDir, 'crl.pem'));
    await expectRefusal(sign('revoked', c.challenge), 'revoked', 422);
    const untrusted = await expectRefusal(sign('untrusted', c.challenge), 'untrusted', 422);
    assert.equal(untrusted.certificate.snils, '08839132503', 'the certificate is described');
    await expectRefusal(sign('expired', c.challenge), 'expired', 422);
    await expectRefusal(sign('nosnils', c.challenge), 'no_snils', 422);
    // Five failures: this challenge is spent even for a good signature.
    await expectRefusal(sign('person', c.challenge), 'no_tries_left', 409);

    const old = c;
    c = await newChallenge(client);
    await expectRefusal(sign('person', old.challenge), 'no_challenge', 409, old.token);
    // The page of the ended challenge says so instead of showing it; the live one is shown.
    const stale = await client.get(`/account/confirm/signature?challenge=${old.token}`);
    assert.ok(stale.body.includes('data-qes-stale') && !stale.body.includes('id="qes-challenge"'));
    const live = await client.get(`/account/confirm/signature?challenge=${c.token}`);
    assert.ok(!live.body.includes('data-qes-stale') && live.body.includes(`value="${c.token}"`));
    await expectRefusal(sign('person', old.challenge), 'wrong_challenge', 422);
    const damaged = sign('person', c.challenge);
    damaged[damaged.length - 3] ^= 0x5a;
    await expectRefusal(damaged, 'bad_signature', 422);
    const otherPerson = await expectRefusal(sign('other', c.challenge), 'wrong_person', 422);
    assert.equal(otherPerson.field, 'snils');
    // Nothing sent uses up no try.
    const empty = await client.api('POST', '/api/v1/account/confirm/signature', { token: c.token, signature: '' });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, 'signature.empty');
    await expectRefusal(readFileSync(path.join(ca, 'person.pem')), 'not_a_signature', 400);
    const good = sign('person', c.challenge);
    await expectRefusal(good.subarray(0, good.length >> 1), 'truncated', 400);
    await expectRefusal(good, 'no_tries_left', 409);

    c = await newChallenge(client);
    // The right SNILS with another INN than the tax service gave for this person.
    const inn = await expectRefusal(sign('wronginn', c.challenge), 'wrong_person', 422);
    assert.equal(inn.field, 'inn');
    const me = (await client.api('GET', '/api/v1/account')).json;
    assert.equal(me.level, 'standard');

    // PEM text as pasted works, and confirms.
    const ok = await client.api('POST', '/api/v1/account/confirm/signature',
      { token: c.token, signature: sign('person', c.challenge, 'pem').toString('utf8') });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.confirmed, true);
    assert.equal(ok.json.certificate.snils, '08839132503');
    assert.equal(ok.json.certificate.inn, '590600644706');
    assert.equal(ok.json.certificate.digest_algorithm, 'md_gost12_256');
    const after = (await client.api('GET', '/api/v1/account')).json;
    assert.equal(after.level, 'confirmed');
    assert.equal(after.confirmed_by, 'qualified_signature');
    assert.equal(stack.scalar(`SELECT COUNT(*) FROM identity_signature_challenges WHERE used_at IS NOT NULL AND certificate IS NOT NULL`), '1');
    // Used once: the same upload again is refused, and so is a new challenge.
    const again = await client.api('POST', '/api/v1/account/confirm/signature',
      { token: c.token, signature: sign('person', c.challenge, 'pem').toString('utf8') });
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'signature.already_confirmed');
    const more = await client.api('POST', '/api/v1/account/confirm/signature/challenge', {});
    assert.equal(more.json.error.code, 'signature.already_confirmed');
    // The failed attempts are in the user's recent actions.
    assert.ok(Number(stack.scalar("SELECT COUNT(*) FROM identity_audit WHERE action = 'signature_failed'")) >= 11);
  });

  test('pages without JavaScript: challenge, download, bad uploads with clear messages, multipart upload', async () => {
    copyFileSync(path.join(ca, 'trust/crl.pem'), path.join(trustDir, 'crl.pem'));  // also when run alone
    const { client, contact, password } = await standardAccount(stack, 'p0002');
    // "My details" and "what you need" offer this way to a standard account.
    const details = await client.get('/account/details');
    assert.ok(details.body.includes('href="/account/confirm/signature" data-confirm-way="qualified_signature"'));
    const access = await client.get('/access?need=confirmed');
    assert.ok(access.body.includes('data-confirm-way="qualified_signature"'));
    assert.ok(!(await client.get('/access?need=standard')).body.includes('data-confirm-way="qualified_signature"'),
      'nothing to confirm for what a standard account already has');
    let page = await client.get('/account/confirm/signature');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('action="/account/confirm/signature/challenge"'));
    const issued = await client.postForm('/account/confirm/signature/challenge', {});
    assert.equal(issued.status, 303);
    assert.match(issued.location, /^\/account\/confirm\/signature\?challenge=/);
    page = await client.get(issued.location);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('enctype="multipart/form-data"'));
    const token = page.body.match(/name="token" value="([^"]+)"/)[1];
    const download = page.body.match(/href="(\/account\/confirm\/signature\/challenge\?token=[^"]+)"/)[1];
    const file = await client.get(download.replace(/&amp;/g, '&'));
    assert.equal(file.status, 200);
    assert.match(file.headers.get('content-disposition'), /attachment/);
    const challenge = file.raw;
    assert.ok(challenge.toString().includes(`challenge: ${token}`));

    // Another session of the same account cannot use or download this challenge.
    const other = stack.client();
    assert.equal((await signInViaApi(other, contact, password)).status, 200);
    assert.equal((await other.get(download.replace(/&amp;/g, '&'))).status, 404);
    const foreign = await upload(other, token, sign('other', challenge));
    assert.equal(foreign.json.error.code, 'signature.no_challenge');
    // Ten challenges an hour per account, whichever session asks (this page's is the first).
    for (let i = 0; i < 9; i++) {
      assert.equal((await other.api('POST', '/api/v1/account/confirm/signature/challenge', {})).status, 201);
    }
    const limited = await other.api('POST', '/api/v1/account/confirm/signature/challenge', {});
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, 'signature.too_many_challenges');
    const wait = Number(limited.headers.get('retry-after'));
    assert.ok(wait > 3500 && wait <= 3600, `Retry-After ${wait}`);

    const multipart = (fields, fileBytes, name = 'challenge.sig') => {
      const form = new FormData();
      form.append('_csrf', client.csrf);
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      if (fileBytes) form.append('signature_file', new Blob([fileBytes]), name);
      return client.request('POST', '/account/confirm/signature', { body: form });
    };
    // A 10 MB file: a clear message, not a 500 or a bare 413.
    const huge = await multipart({ token }, Buffer.alloc(10 * 1024 * 1024, 0x41), 'big.sig');
    assert.equal(huge.status, 413);
    assert.ok(huge.body.includes(htmlText('identity_signature.error.too_large')), 'the page says the file is too large');
    assert.ok(huge.body.includes(`value="${token}"`), 'the challenge stays on the page');
    const pem = await multipart({ token }, readFileSync(path.join(ca, 'ca.pem')), 'ca.pem');
    assert.equal(pem.status, 400);
    assert.ok(pem.body.includes(htmlText('identity_signature.error.not_a_signature')));
    const good = sign('other', challenge);
    const cut = await multipart({ token }, good.subarray(0, 700));
    assert.equal(cut.status, 400);
    assert.ok(cut.body.includes(htmlText('identity_signature.error.truncated')));
    const wrong = await multipart({ token }, sign('person', challenge));
    assert.equal(wrong.status, 422);
    assert.ok(wrong.body.includes(htmlText('identity_signature.error.wrong_person_snils')), 'p0001 is not p0002');
    assert.ok(wrong.body.includes('088-391-325 03'), 'the certificate shown names its SNILS');
    const nothing = await multipart({ token, signature: '' });
    assert.equal(nothing.status, 400);
    assert.ok(nothing.body.includes(htmlText('identity_signature.error.empty')));
    // Without the CSRF field the upload is refused before anything is checked.
    const form = new FormData();
    form.append('token', token);
    form.append('signature_file', new Blob([good]), 'c.sig');
    assert.equal((await client.request('POST', '/account/confirm/signature', { body: form })).status, 403);

    const done = await multipart({ token }, good);
    assert.equal(done.status, 303, done.body.slice(0, 500));
    assert.equal(done.location, '/account/confirm/signature?done=1');
    const shown = await client.get(done.location);
    assert.ok(shown.body.includes(htmlText('identity_signature.done')));
    assert.equal((await client.api('GET', '/api/v1/account')).json.level, 'confirmed');
    assert.ok(!(await client.get('/access?need=confirmed')).body.includes('data-confirm-way'), 'nothing left to confirm');
    // The link's text exists in every language.
    for (const lang of ['ru', 'en', 'de', 'fr']) assert.ok(text('identity_signature.link', lang).length > 10);
  });
});
