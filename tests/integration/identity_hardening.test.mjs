// Defects of the security review that live in the identity flows, each
// reproduced against a real `uslugi serve` with the registries sandbox and a
// real SMTP sink: links built from a forged Host (defect 1), account existence
// told by registration and recovery limits (defect 4), and brute-force
// counters that concurrent attempts slipped past (defect 5).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { backend } from '../support/server.mjs';
import { rawRequest, statusOf } from '../support/http.mjs';
import {
  startIdentityStack, registerViaApi, mailFor, uniqueEmail, uniquePhone, uniqueIp, strongPassword, text,
} from '../support/identity.mjs';
import { waitFor } from '../support/server.mjs';

// A SNILS with a right control number that no demo person has.
function randomSnils() {
  const digits = [randomInt(1, 10), ...Array.from({ length: 8 }, () => randomInt(0, 10))];
  let sum = digits.reduce((s, d, i) => s + d * (9 - i), 0);
  if (sum > 101) sum %= 101;
  const control = sum === 100 || sum === 101 ? 0 : sum;
  const d = digits.join('');
  return `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 9)} ${String(control).padStart(2, '0')}`;
}

const countBy = (list, f) => list.reduce((m, x) => m.set(f(x), (m.get(f(x)) ?? 0) + 1), new Map());

describe(`identity hardening on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
  let stack;
  before(async () => { stack = await startIdentityStack(); });
  after(async () => { await stack?.stop(); });

  describe('links come only from the public address (defect 1)', () => {
    test('a request that names another host is refused before any page; health checks still answer', async () => {
      const port = stack.server.port;
      for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port}.evil.example`, '']) {
        const reply = await rawRequest(port, `GET /recover HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        assert.equal(statusOf(reply), 400, `Host "${host}"`);
      }
      const post = await rawRequest(port, 'POST /api/v1/recover HTTP/1.1\r\nHost: evil.example\r\n' +
        'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
      assert.equal(statusOf(post), 400);
      const ours = await rawRequest(port, `GET /recover HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(ours), 200);
      const local = await rawRequest(port, `GET /recover HTTP/1.1\r\nHost: LOCALHOST:${port}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(local), 200, 'a trial on loopback answers to localhost too');
      const health = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: 10.1.2.3:8080\r\nConnection: close\r\n\r\n');
      assert.equal(statusOf(health), 200);
    });

    test('a recovery link points at the portal, lives minutes, and confirms only when its button is pressed', async () => {
      const email = uniqueEmail();
      await registerViaApi(stack, stack.client(), { contact: email });
      const asking = stack.client();
      const started = await asking.api('POST', '/api/v1/recover', { contact: email });
      assert.equal(started.status, 202, started.body);
      assert.ok(started.json.challenge.code_expires_in <= 15 * 60, `lives ${started.json.challenge.code_expires_in} s`);
      const mail = await waitFor(async () => (await mailFor(stack.registries, email))
        .filter((m) => m.subject === text('notifications.security.recover_email.subject')), (l) => l.length > 0,
      { what: 'the recovery e-mail' });
      const found = mail[0].body.match(/https?:\/\/[^\s"<>]+\/recover\/confirm\?token=[\w-]+/);
      assert.ok(found, mail[0].body);
      const link = new URL(found[0]);
      assert.equal(link.origin, new URL(stack.url).origin, 'the configured public address, nothing from the request');
      assert.match(mail[0].body, /15 мин\./);

      // Opened in another browser (or by a mail scanner): a page and a button, nothing confirmed yet.
      const other = stack.client();
      const page = await other.get(link.pathname + link.search);
      assert.equal(page.status, 200, page.body);
      assert.ok(page.body.includes('method="post" action="/recover/confirm"'));
      assert.equal((await other.api('GET', '/api/v1/recover/current')).status, 404, 'not proven by a GET');
      const notYet = await other.get('/recover/password');
      assert.equal(notYet.location, '/recover');
      // The button proves it, in this browser.
      const pressed = await other.postForm('/recover/confirm', { token: link.searchParams.get('token') });
      assert.equal(pressed.status, 303, pressed.body);
      assert.equal(pressed.location, '/recover/password');
      assert.equal((await other.api('GET', '/api/v1/recover/current')).json.proven, true);
      // A POST without the page's CSRF token is refused like any other form.
      const forged = await stack.client().postForm('/recover/confirm', { token: link.searchParams.get('token') }, { csrf: null });
      assert.equal(forged.status, 403);
    });
  });

  describe('no account can be told to exist by the limits (defect 4)', () => {
    test('registration is limited per address before the contact is looked up', async () => {
      const { contact } = await registerViaApi(stack, stack.client(), { contact: uniquePhone() });
      const prober = stack.client();
      const answers = [];
      for (let i = 0; i < 40; i++) {
        const res = await prober.api('POST', '/api/v1/identity/registrations', { surname: 'Проверкин', name: 'Иван', contact });
        answers.push(res.json?.error?.code ?? String(res.status));
      }
      const counts = countBy(answers, (a) => a);
      assert.equal(counts.get('identity.contact_taken'), 30, JSON.stringify([...counts]));
      assert.equal(counts.get('identity.blocked'), 10, JSON.stringify([...counts]));
      // The limit is the address's, not the contact's: a fresh address may still register.
      const fresh = await stack.client().api('POST', '/api/v1/identity/registrations',
        { surname: 'Новиков', name: 'Олег', contact: uniquePhone() });
      assert.equal(fresh.status, 201, fresh.body);
    });

    test('recovery says the same "too many" for a real and an unknown contact', async () => {
      const { contact: real } = await registerViaApi(stack, stack.client(), { contact: uniquePhone() });
      const unknown = uniquePhone();
      const last = {};
      for (const [name, contact] of [['real', real], ['unknown', unknown]]) {
        const c = stack.client();
        let res;
        for (let i = 0; i < 10 && (!res || res.status !== 429); i++) res = await c.api('POST', '/api/v1/recover', { contact });
        assert.equal(res.status, 429, `${name}: ${res.body}`);
        last[name] = res.json.error;
      }
      assert.equal(last.real.code, last.unknown.code);
      assert.equal(last.real.message.replace(/\d+/g, 'N'), last.unknown.message.replace(/\d+/g, 'N'));
      assert.ok(last.real.message.startsWith(text('identity.error.too_many_sends')), last.real.message);
    });
  });

  describe('concurrent attempts cannot outrun the brute-force counters (defect 5)', () => {
    test('64 wrong passwords at once for one login get 3 real checks', async () => {
      const { contact } = await registerViaApi(stack, stack.client(), { contact: uniquePhone() });
      // Each from its own address, so only the login's counter stands in the way.
      const clients = Array.from({ length: 64 }, () => stack.client({ ip: uniqueIp() }));
      await Promise.all(clients.map((c) => c.session()));
      const answers = await Promise.all(clients.map((c) =>
        c.api('POST', '/api/v1/identity/signin', { login: contact, password: strongPassword() })));
      const counts = countBy(answers, (r) => r.json?.error?.code ?? String(r.status));
      assert.equal(counts.get('identity.wrong_credentials'), 3, JSON.stringify([...counts]));
      assert.equal(counts.get('identity.blocked'), 61, JSON.stringify([...counts]));
      for (const r of answers.filter((a) => a.status === 429)) assert.ok(Number(r.headers.get('retry-after')) > 0);
    });

    test('64 answers to the security question at once for one SNILS get 3 real checks', async () => {
      const snils = randomSnils();
      const clients = Array.from({ length: 64 }, () => stack.client({ ip: uniqueIp() }));
      await Promise.all(clients.map((c) => c.session()));
      const answers = await Promise.all(clients.map((c, i) => c.api('POST', '/api/v1/recover/question',
        { id_kind: 'snils', id_value: snils, question: 'first_pet', answer: `Барсик ${i}` })));
      const counts = countBy(answers, (r) => r.json?.error?.code ?? String(r.status));
      assert.equal(counts.get('identity.wrong_credentials'), 3, JSON.stringify([...counts]));
      assert.equal(counts.get('identity.blocked'), 61, JSON.stringify([...counts]));
    });
  });
});
