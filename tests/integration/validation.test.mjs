// Live validation of identifiers: GET /api/v1/validate/{kind}?value=…
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

const validate = async (kind, value, lang = 'ru') => {
  const res = await fetch(`${server.url}/api/v1/validate/${kind}?value=${encodeURIComponent(value)}`, { headers: { 'Accept-Language': lang } });
  return { status: res.status, headers: res.headers, body: await res.json() };
};

test('valid identifiers come back normalised', async () => {
  assert.deepEqual((await validate('snils', '11223344595')).body, { valid: true, normalized: '112-233-445 95' });
  assert.equal((await validate('inn', '500100732259')).body.valid, true);
  assert.equal((await validate('uin', '18810477180001234563')).body.valid, true);
  assert.equal((await validate('phone', '8 (916) 123-45-67')).body.normalized, '+79161234567');
});

test('errors carry a stable code and a message in the user language', async () => {
  const ru = await validate('snils', '112-233-445 96');
  assert.equal(ru.status, 200);
  assert.equal(ru.body.valid, false);
  assert.equal(ru.body.error.code, 'snils.checksum');
  assert.match(ru.body.error.message, /СНИЛС/);
  const en = await validate('snils', '112-233-445 96', 'en');
  assert.equal(en.body.error.code, 'snils.checksum');
  assert.match(en.body.error.message, /SNILS/);
  assert.equal((await validate('inn', '')).body.error.code, 'inn.empty');
  assert.equal((await validate('passport', 'x'.repeat(10000))).body.error.code, 'passport.too_long');
  assert.equal((await validate('email', `<script>"'@example.org`)).body.valid, false);
  const unknown = await validate('horoscope', '1');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'validation.unknown_kind');
});

test('a client is limited per minute and told when to come back', async () => {
  // A server of its own, so no earlier hits count; fixed one-minute windows:
  // a burst that crosses a boundary may pass 2 × 120.
  const own = await startServer();
  let ok = 0, refused = null;
  try {
    for (let i = 0; i < 245 && !refused; i++) {
      const res = await fetch(`${own.url}/api/v1/validate/oms?value=1234567890123456`);
      const r = { status: res.status, headers: res.headers, body: await res.json() };
      if (r.status === 200) ok++;
      else refused = r;
    }
  } finally {
    await own.stop();
  }
  assert.ok(refused, 'the limit was never reached');
  assert.ok(ok >= 120, `${ok} allowed before the first refusal`);
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error.code, 'rate_limited');
  const wait = Number(refused.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
});
