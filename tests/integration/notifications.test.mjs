// The notification outbox against real processes: `uslugi serve` (with its
// job runner), the registries sandbox (SMS gateway) and a real SMTP server
// (Debian's python3-aiosmtpd writing a Maildir). Messages are enqueued through
// /test/notify in one transaction, as a module would; arrival is checked in
// the Maildir and in the sandbox, and waited for by polling, never by sleeps.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, startWorker, freshDatabase, waitFor } from '../support/server.mjs';
import { startRegistries } from '../support/registries.mjs';
import { freePort, startSmtp } from '../support/identity.mjs';

const PYTHON = '/usr/bin/python3';  // the pyenv python3 on PATH lacks aiosmtpd

// Every message in the Maildir, parsed by Python's email module: headers
// decoded (RFC 2047), text parts decoded to str.
const PARSE = `
import email, email.policy, json, mailbox, sys
from email.header import decode_header, make_header
out = []
for key, msg in mailbox.Maildir(sys.argv[1], factory=None, create=False).items():
    raw = msg.as_bytes()
    m = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = []
    for p in m.walk():
        if p.get_content_maintype() == 'text':
            parts.append({'type': p.get_content_type(), 'charset': p.get_content_charset(),
                          'text': p.get_payload(decode=True).decode(p.get_content_charset() or 'ascii')})
    out.append({'to': m['To'], 'from': str(make_header(decode_header(m['From']))), 'raw_subject': m['Subject'],
                'subject': str(make_header(decode_header(m['Subject']))), 'message_id': m['Message-ID'],
                'content_type': m.get_content_type(), 'parts': parts})
print(json.dumps(out))
`;
const mails = (maildir) => JSON.parse(execFileSync(PYTHON, ['-c', PARSE, maildir], { encoding: 'utf8' }));
const mailCount = (maildir) => ['new', 'cur'].reduce((n, sub) => {
  try { return n + readdirSync(path.join(maildir, sub)).length; } catch { return n; }
}, 0);

describe('notification outbox', () => {
  let server, sandbox, smtp, smtpPort, dir, maildir;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'uslugi-notify-'));
    maildir = path.join(dir, 'Maildir');
    smtpPort = await freePort();
    smtp = await startSmtp(smtpPort, maildir);
    sandbox = await startRegistries();
    server = await startServer(['--smtp-port', String(smtpPort), '--registries-url', sandbox.url,
      '--job-backoff-base', '1', '--job-backoff-cap', '2', '--job-poll-ms', '100']);
  });

  after(async () => {
    if (server) await server.stop();
    if (sandbox) await sandbox.stop();
    if (smtp) await smtp.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function notify(body, status = 201) {
    const res = await fetch(server.url + '/test/notify', { method: 'POST', body: JSON.stringify(body) });
    const text = await res.text();
    assert.equal(res.status, status, text);
    return status === 201 ? JSON.parse(text) : text;
  }
  const outbox = async (id) => (await fetch(`${server.url}/test/notify/${id}`)).json();
  const waitSent = (id) => waitFor(() => outbox(id), (m) => m.status === 'sent', { what: `outbox ${id} sent`, timeoutMs: 30000 });
  const smsFor = async (phone) => {
    const res = await fetch(`${sandbox.url}/sms/messages?phone=${encodeURIComponent(phone)}`);
    assert.equal(res.status, 200);
    return (await res.json()).messages;
  };

  test('an e-mail arrives once over SMTP with encoded subject and both parts in the language', async () => {
    const first = await notify({ event_key: 'signin-1', channel: 'email', address: 'ivan@example.ru', lang: 'ru',
      template: 'account.signin_code', params: { code: '482913' } });
    assert.equal(first.created, true);
    const again = await notify({ event_key: 'signin-1', channel: 'email', address: 'ivan@example.ru', lang: 'ru',
      template: 'account.signin_code', params: { code: '111111' } });
    assert.deepEqual(again, { id: first.id, created: false }, 'the same event, recipient and channel: one message');
    const de = await notify({ event_key: 'hello-1', channel: 'email', address: 'anna@example.de', lang: 'de',
      template: 'test.hello', params: { name: 'Anna' } });

    const sent = await waitSent(first.id);
    await waitSent(de.id);
    assert.equal(sent.provider_id, `<notify-${first.id}@uslugi.local>`);
    await waitFor(() => mailCount(maildir), (n) => n >= 2, { what: 'two mails in the Maildir' });
    const all = mails(maildir);
    const ru = all.filter((m) => m.message_id === `<notify-${first.id}@uslugi.local>`);
    assert.equal(ru.length, 1, 'exactly once: ' + JSON.stringify(all.map((m) => m.message_id)));
    const [mail] = ru;
    assert.match(mail.to, /^<?ivan@example\.ru>?$/);
    assert.match(mail.from, /<noreply@uslugi\.local>$/);
    assert.match(mail.raw_subject.trim(), /^=\?UTF-8\?/i, 'the Cyrillic subject is RFC 2047-encoded on the wire');
    assert.equal(mail.subject, 'Код для входа на Услуги: 482913');
    assert.equal(mail.content_type, 'multipart/alternative');
    assert.deepEqual(mail.parts.map((p) => p.type), ['text/plain', 'text/html']);
    for (const p of mail.parts) {
      assert.equal(p.charset.toLowerCase(), 'utf-8');
      assert.match(p.text, /Ваш код для входа на портал Услуг: 482913/);
    }
    assert.match(mail.parts[1].text, /<html lang="ru">/);

    const [german] = all.filter((m) => m.message_id === `<notify-${de.id}@uslugi.local>`);
    assert.equal(german.subject, 'Test der Benachrichtigungen von Uslugi');
    assert.match(german.parts[0].text, /Guten Tag, Anna!/);
    assert.match(german.parts[1].text, /Guten Tag, Anna!/);
    assert.equal(mailCount(maildir), 2, 'nothing else was sent');
  });

  test('an SMS reaches the gateway once', async () => {
    const phone = '+79161230001';
    const { id } = await notify({ event_key: 'signin-2', channel: 'sms', address: phone, lang: 'en',
      template: 'account.signin_code', params: { code: '555123' } });
    const sent = await waitSent(id);
    const messages = await smsFor(phone);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].id, sent.provider_id);
    assert.equal(messages[0].text, 'Uslugi sign-in code: 555123. Never tell it to anyone.');
  });

  test('a push message reaches the gateway once, titled with the subject', async () => {
    const phone = '+79161230003';
    const { id } = await notify({ event_key: 'verified-1', channel: 'push', address: phone, lang: 'fr',
      template: 'verification.done', params: { name: 'Marie' } });
    const sent = await waitSent(id);
    const res = await fetch(`${sandbox.url}/push/messages?phone=${encodeURIComponent(phone)}`);
    const { messages } = await res.json();
    assert.equal(messages.length, 1);
    assert.equal(messages[0].id, sent.provider_id);
    assert.equal(messages[0].title, 'Votre compte est confirmé');
    assert.equal(messages[0].body, 'Uslugi : votre compte est confirmé, tous les services sont accessibles.');
  });

  test('uslugi worker delivers what serve --no-workers enqueued', async () => {
    const db = freshDatabase();
    const front = await startServer(['--no-workers'], { database: db });
    let worker;
    try {
      const res = await fetch(front.url + '/test/notify', { method: 'POST', body: JSON.stringify({
        event_key: 'worker-1', channel: 'email', address: 'petr@example.ru', lang: 'en', template: 'test.hello',
        params: { name: 'Petr' } }) });
      assert.equal(res.status, 201);
      const { id } = await res.json();
      const queued = await (await fetch(`${front.url}/test/notify/${id}`)).json();
      assert.equal(queued.status, 'queued', 'no workers in serve');
      worker = await startWorker(db, ['--smtp-port', String(smtpPort), '--registries-url', sandbox.url, '--job-poll-ms', '100']);
      await waitFor(async () => (await fetch(`${front.url}/test/notify/${id}`)).json(), (m) => m.status === 'sent',
        { what: 'the worker to send it' });
      // (Another database: its outbox ids repeat those of the shared server, so look for the address.)
      const arrived = await waitFor(() => mails(maildir).filter((m) => /petr@example\.ru/.test(m.to)), (l) => l.length >= 1,
        { what: 'the mail to arrive' });
      assert.equal(arrived.length, 1);
      assert.match(arrived[0].parts[0].text, /Hello, Petr!/);
    } finally {
      if (worker) await worker.stop();
      await front.stop();
      db.drop();
    }
  });

  test('with the SMTP server down e-mails stay queued, and arrive once each after it is back', async () => {
    await smtp.stop();
    smtp = null;
    const before = mailCount(maildir);
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const r = await notify({ event_key: `outage-mail-${i}`, channel: 'email', address: `user${i}@example.ru`,
        lang: 'en', template: 'test.hello', params: { name: `User ${i}` }, max_attempts: 50 });
      ids.push(r.id);
    }
    for (const id of ids) {
      const m = await waitFor(() => outbox(id), (x) => x.attempts >= 1 && x.last_error !== '',
        { what: `a failed attempt of ${id}` });
      assert.equal(m.status, 'queued', JSON.stringify(m));
      assert.match(m.last_error, /SMTP/);
    }
    assert.equal(mailCount(maildir), before);

    smtp = await startSmtp(smtpPort, maildir);
    for (const id of ids) await waitSent(id);
    await waitFor(() => mailCount(maildir), (n) => n >= before + 5, { what: 'five more mails' });
    const all = mails(maildir);
    for (const id of ids) {
      const copies = all.filter((m) => m.message_id === `<notify-${id}@uslugi.local>`);
      assert.equal(copies.length, 1, `outbox ${id} arrived exactly once`);
    }
    assert.equal(mailCount(maildir), before + 5);
  });

  // The short back-off of this server (base 1 s, cap 2 s, random waits from 0)
  // can spend the default 10 attempts within a few seconds of outage, so the
  // outage messages allow more attempts; production back-off spans hours.
  test('an SMS gateway outage: every message is delivered once after recovery', async () => {
    const N = 20;
    const phone = '+79161230002';
    const fault = async (down) => {
      const res = await fetch(`${sandbox.url}/admin/faults/sms`, { method: 'PUT', body: JSON.stringify({ down }) });
      assert.equal(res.status, 200, await res.text());
    };
    await fault(true);
    const downAt = Date.now();
    const ids = [];
    try {
      for (let i = 0; i < N; i++) {
        const r = await notify({ event_key: `outage-sms-${i}`, channel: 'sms', address: phone, lang: 'ru',
          template: 'account.signin_code', params: { code: String(100000 + i) }, max_attempts: 50 });
        ids.push(r.id);
      }
      // Every message has met the outage at least once.
      for (const id of ids)
        await waitFor(() => outbox(id), (x) => x.attempts >= 1 && x.last_error !== '', { what: `a failed attempt of ${id}` });
      // The outage lasts at least 3 s (a scenario, not a race: nothing waits on it).
      const left = 3000 - (Date.now() - downAt);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
      for (const id of ids) assert.equal((await outbox(id)).status, 'queued');
    } finally {
      await fault(false);
    }
    const upAt = Date.now();
    const downFor = (upAt - downAt) / 1000;
    for (const id of ids) await waitSent(id);
    const recovered = (Date.now() - upAt) / 1000;
    const messages = await smsFor(phone);
    assert.equal(messages.length, N, 'exactly N messages in the gateway');
    assert.equal(new Set(messages.map((m) => m.id)).size, N, 'distinct gateway ids');
    assert.equal(new Set(messages.map((m) => m.text)).size, N, 'none sent twice');
    const attempts = await Promise.all(ids.map(async (id) => (await outbox(id)).attempts));
    console.log(`registry outage: N=${N} jobs, down for ${downFor.toFixed(1)} s, all delivered once after recovery in ${recovered.toFixed(1)} s ` +
      `(attempts per message: max ${Math.max(...attempts)}, on ${(process.env.USLUGI_TEST_DATABASE || 'sqlite').startsWith('postgres') ? 'PostgreSQL' : 'SQLite'})`);
  });

  test('bad requests and unknown templates', async () => {
    await notify({ channel: 'email', address: 'a@example.ru', template: 'test.hello' }, 400);
    await notify({ event_key: 'x', channel: 'fax', address: 'a@example.ru', template: 'test.hello' }, 400);
    const { id } = await notify({ event_key: 'bad-template', channel: 'email', address: 'a@example.ru',
      lang: 'en', template: 'no.such.template' });
    const failed = await waitFor(() => outbox(id), (m) => m.status === 'failed', { what: 'a permanent failure' });
    assert.match(failed.last_error, /no notification template/);
    assert.equal(failed.attempts, 1, 'not retried');
    assert.equal((await fetch(`${server.url}/test/notify/999999`)).status, 404);
  });
});
