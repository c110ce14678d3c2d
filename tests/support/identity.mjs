// Identity journeys for the integration and browser tests: a portal with the
// registries sandbox (SMS gateway) and a real SMTP sink, an HTTP client with
// its own cookie jar and client address, and the steps a person or an API
// client takes — register by phone or e-mail (pages or JSON), read the SMS code
// from the sandbox and the link from the mail, sign in, get a session and its
// CSRF token. Waiting for a message is polling (waitFor), never a fixed sleep.
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { root, startServer, freshDatabase, waitFor } from './server.mjs';
import { startRegistries } from './registries.mjs';

const PYTHON = '/usr/bin/python3';  // the pyenv python3 on PATH lacks aiosmtpd

// ---- texts ------------------------------------------------------------------------------------

const localeCache = new Map();
function localeOf(lang) {
  if (!localeCache.has(lang)) {
    const merged = {};
    const dir = path.join(root, 'locales');
    const folders = ['', ...readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)];
    for (const folder of folders) {
      const file = path.join(root, 'locales', folder, `${lang}.json`);
      let data;
      try { data = JSON.parse(readFileSync(file, 'utf8')); } catch { continue; }
      deepMerge(merged, data);
    }
    localeCache.set(lang, merged);
  }
  return localeCache.get(lang);
}
function deepMerge(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) deepMerge(into[k] ??= {}, v);
    else into[k] = v;
  }
}
// The text of a locale key ("identity.error.wrong_code") as the portal shows it.
export function text(key, lang = 'ru') {
  const value = key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), localeOf(lang));
  if (typeof value !== 'string') throw new Error(`no text ${lang}:${key}`);
  return value;
}
// As the templates escape it, for finding a text inside HTML.
export function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
export const htmlText = (key, lang = 'ru') => escapeHtml(text(key, lang));

// ---- unique test data -------------------------------------------------------------------------

let counter = 0;
const tag = () => `${Date.now().toString(36)}${(++counter).toString(36)}${randomBytes(2).toString('hex')}`;
// A Russian mobile number nobody else in this run has: +79 and nine digits.
export function uniquePhone() {
  return '+79' + String(randomInt(0, 1e9)).padStart(9, '0');
}
// "+7 (9xx) xxx-xx-xx", the way a person types it.
export function typedPhone(e164) {
  const d = e164.slice(2);
  return `+7 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`;
}
export const uniqueEmail = () => `u${tag()}@example.org`;
// A client address of its own (the server runs with --trust-proxy), so the
// per-address limits of one test do not spill into another.
export const uniqueIp = () => `10.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
// A passphrase zxcvbn rates "strong" or better, with no digits a phone could share.
export const strongPassword = () => `Лиловый ${randomBytes(4).toString('hex')} маяк над тихой гаванью`;
export const person = () => ({ surname: 'Соколова', name: 'Дарья' });

// ---- the portal with its sandbox and SMTP sink ------------------------------------------------

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const canConnect = (port) => new Promise((resolve) => {
  const socket = connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
  socket.on('error', () => resolve(false));
});

// A real SMTP server (aiosmtpd) delivering into `maildir`; stop() ends it by
// its pid and returns once the port is free, so a test may start it again there.
export async function startSmtp(port, maildir) {
  const child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let up = false;
  exited.then(() => { if (!up) stderr += '\n(exited before listening)'; });
  await waitFor(async () => (child.exitCode === null ? canConnect(port) : 'exited'), (v) => v !== false,
    { what: `the SMTP server on port ${port}` });
  if (child.exitCode !== null) throw new Error('aiosmtpd failed:\n' + stderr);
  up = true;
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await waitFor(() => canConnect(port), (v) => v === false, { what: 'the SMTP port to close' });
    },
  };
}

// `uslugi serve` wired to the registries sandbox (SMS) and an SMTP sink whose
// Maildir the sandbox reads (/demo/mail). Every client gets its own address.
export async function startIdentityStack({ extraArgs = [], smtp = true } = {}) {
  const database = freshDatabase();
  const registries = await startRegistries();
  let sink = null, server = null;
  try {
    const args = ['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
      '--data-key', randomBytes(32).toString('hex')];
    if (smtp) {
      const port = await freePort();
      sink = await startSmtp(port, registries.mailDir);
      args.push('--smtp-port', String(port));
    }
    server = await startServer([...args, ...extraArgs], { database });
  } catch (e) {
    await sink?.stop();
    await registries.stop();
    database.drop();
    throw e;
  }
  return {
    server,
    registries,
    database,
    // One number from the portal's database, for checks the API cannot make
    // (e.g. that a refused request created no row): `SELECT COUNT(*) FROM …`.
    scalar: (sql) => scalar(database, sql),
    url: server.url,
    client: (options = {}) => new Client(server.url, options),
    sms: (phone) => smsMessages(registries, phone),
    nextSmsCode: (phone, seen) => nextSmsCode(registries, phone, seen),
    nextEmailLink: (email, seen) => nextEmailLink(registries, email, seen),
    async stop() {
      await server.stop();
      await sink?.stop();
      await registries.stop();
      database.drop();
    },
  };
}

export function scalar(database, sql) {
  const out = database.url.startsWith('sqlite://')
    ? execFileSync('sqlite3', [database.url.slice('sqlite://'.length), sql], { encoding: 'utf8' })
    : execFileSync('psql', [database.url, '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-q', '-c', sql], { encoding: 'utf8' });
  return out.trim();
}

// ---- reading codes and links ------------------------------------------------------------------

// Every SMS the sandbox got for `phone`, newest first.
export async function smsMessages(registries, phone) {
  const res = await fetch(`${registries.url}/sms/messages?phone=${encodeURIComponent(phone)}`);
  if (res.status !== 200) throw new Error(`sandbox answered ${res.status}`);
  return (await res.json()).messages;
}

// Waits for an SMS to `phone` whose id is not in `seen` (a Set, updated) and
// returns its 6-digit code.
export async function nextSmsCode(registries, phone, seen = new Set()) {
  const fresh = await waitFor(async () => (await smsMessages(registries, phone)).filter((m) => !seen.has(m.id)),
    (list) => list.length > 0, { what: `an SMS to ${phone}`, timeoutMs: 20000 });
  for (const m of fresh) seen.add(m.id);
  const match = fresh[0].text.match(/\b(\d{6})\b/);
  if (!match) throw new Error('no code in the SMS: ' + fresh[0].text);
  return match[1];
}

export async function mailFor(registries, email) {
  const res = await fetch(`${registries.url}/demo/mail?to=${encodeURIComponent(email)}`);
  if (res.status !== 200) throw new Error(`sandbox answered ${res.status}`);
  return (await res.json()).messages;
}

// Waits for an e-mail to `email` not in `seen` and returns the confirmation
// link in it (absolute URL).
export async function nextEmailLink(registries, email, seen = new Set()) {
  const fresh = await waitFor(async () => (await mailFor(registries, email)).filter((m) => !seen.has(m.id)),
    (list) => list.length > 0, { what: `an e-mail to ${email}`, timeoutMs: 20000 });
  for (const m of fresh) seen.add(m.id);
  const match = fresh[0].body.match(/https?:\/\/[^\s"<>]+\/signup\/confirm\?token=[^\s"<>]+/);
  if (!match) throw new Error('no link in the e-mail: ' + fresh[0].body);
  return match[0];
}

// ---- an HTTP client with a cookie jar ---------------------------------------------------------

// The parts of a Set-Cookie header: { name, value, attrs: { 'max-age': '…', httponly: true … } }.
export function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const a of rest) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs, header };
}

// One browser (or API client): its cookies, its address, its language, the
// CSRF token of the last page or /api/v1/session it saw.
export class Client {
  constructor(baseUrl, { ip = uniqueIp(), lang = null, userAgent = 'uslugi-tests (node)' } = {}) {
    this.baseUrl = baseUrl;
    this.ip = ip;
    this.lang = lang;
    this.userAgent = userAgent;
    this.cookies = new Map();
    this.csrf = null;
    this.lastCookie = null;  // the sid Set-Cookie of the last response that had one
  }

  get sid() { return this.cookies.get('sid') ?? null; }

  // A raw request, no redirects followed: { status, headers, body, location, json, cookie }.
  async request(method, target, { body, headers = {}, contentType } = {}) {
    const h = { 'X-Forwarded-For': this.ip, 'User-Agent': this.userAgent, ...headers };
    if (this.lang) h['Accept-Language'] = this.lang;
    if (this.cookies.size) h.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (contentType) h['Content-Type'] = contentType;
    const res = await fetch(new URL(target, this.baseUrl), { method, headers: h, body, redirect: 'manual' });
    const buf = Buffer.from(await res.arrayBuffer());
    const out = { status: res.status, headers: res.headers, raw: buf, body: buf.toString('utf8'), location: res.headers.get('location') };
    out.cookie = null;
    for (const c of res.headers.getSetCookie().map(parseSetCookie)) {
      if (c.name === 'sid') out.cookie = c;
      const maxAge = c.attrs['max-age'];
      if (maxAge !== undefined && Number(maxAge) <= 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    if (out.cookie) {
      this.lastCookie = out.cookie;
      this.csrf = null;  // a new session has a new token
    }
    const type = res.headers.get('content-type') || '';
    if (type.startsWith('application/json')) {
      try { out.json = JSON.parse(out.body); } catch { out.json = undefined; }
    }
    if (type.startsWith('text/html')) {
      const m = out.body.match(/name="_csrf" value="([^"]+)"/);
      if (m) this.csrf = m[1];
    }
    return out;
  }

  get(target, options = {}) { return this.request('GET', target, options); }

  // Follows redirects by hand from `res` (GETs, as a browser does after a
  // POST); `hops` lists every Location seen.
  async follow(res, max = 10) {
    const hops = [];
    while (res.status >= 300 && res.status < 400 && res.location) {
      if (hops.length >= max) throw new Error('too many redirects: ' + hops.join(' → '));
      hops.push(res.location);
      res = await this.get(res.location);
    }
    res.hops = hops;
    return res;
  }

  // A form POST with the page's CSRF token (unless `_csrf` is given, or null to leave it out).
  // After a new session cookie the token is asked for again, as a browser's next page would carry it.
  async postForm(target, fields = {}, { csrf, headers } = {}) {
    if (csrf === undefined) {
      if (!this.csrf && !('_csrf' in fields)) await this.session();
      csrf = this.csrf;
    }
    const params = new URLSearchParams();
    if (csrf !== null && csrf !== undefined && !('_csrf' in fields)) params.append('_csrf', csrf);
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.append(k, v);
    return this.request('POST', target, { body: params.toString(), contentType: 'application/x-www-form-urlencoded', headers });
  }

  // GET /api/v1/session: { csrf_token, signed_in, account?, lang }; remembers the token.
  async session() {
    const res = await this.get('/api/v1/session');
    if (res.status !== 200) throw new Error(`/api/v1/session answered ${res.status}: ${res.body}`);
    this.csrf = res.json.csrf_token;
    return res.json;
  }

  // A JSON API call with X-CSRF-Token (fetched first when unknown; `csrf: null` sends none).
  async api(method, target, data, { csrf, headers = {}, rawBody } = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (method !== 'GET') {
      let token = csrf;
      if (token === undefined) {
        if (!this.csrf) await this.session();
        token = this.csrf;
      }
      if (token !== null) h['X-CSRF-Token'] = token;
    }
    const body = rawBody !== undefined ? rawBody : data === undefined ? undefined : JSON.stringify(data);
    return this.request(method, target, { body, headers: h, contentType: body === undefined ? undefined : 'application/json' });
  }
}

// ---- journeys ---------------------------------------------------------------------------------

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}\n${res.body.slice(0, 2000)}`);
  return res;
}

// Registration through the pages up to the account page. `contact` is a phone
// (E.164) or an e-mail. Returns { account: final page response, contact, password }.
export async function registerViaPages(stack, client, { surname = 'Соколова', name = 'Дарья', contact, password = strongPassword() } = {}) {
  expect(await client.get('/signup'), 200, 'GET /signup');
  const isEmail = contact.includes('@');
  const started = await client.postForm('/signup', { surname, name, contact: isEmail ? contact : typedPhone(contact) });
  expect(started, 303, 'POST /signup');
  if (started.location !== '/signup/code') throw new Error('POST /signup went to ' + started.location);
  await client.follow(started);
  if (isEmail) {
    const link = new URL(await stack.nextEmailLink(contact));
    expect(await client.get(link.pathname + link.search), 200, 'the e-mail link');
    const confirmed = await client.postForm(link.pathname, { token: link.searchParams.get('token') });
    expect(confirmed, 303, 'the button of the e-mail link');
    await client.follow(confirmed);
  } else {
    const code = await stack.nextSmsCode(contact);
    const sent = await client.postForm('/signup/code', { code });
    expect(sent, 303, 'POST /signup/code');
    await client.follow(sent);
  }
  const done = await client.postForm('/signup/password', { password, password_repeat: password });
  expect(done, 303, 'POST /signup/password');
  const account = await client.follow(done);
  expect(account, 200, 'the account page');
  return { account, contact, password, surname, name };
}

// The same through the JSON API. Returns { account: {id,name,level}, contact, password }.
export async function registerViaApi(stack, client, { surname = 'Соколова', name = 'Дарья', contact, password = strongPassword() } = {}) {
  const isEmail = contact.includes('@');
  expect(await client.api('POST', '/api/v1/identity/registrations', { surname, name, contact }), 201, 'start');
  if (isEmail) {
    const link = new URL(await stack.nextEmailLink(contact));
    expect(await client.api('POST', '/api/v1/identity/registrations/confirm-link', { token: link.searchParams.get('token') }), 200, 'link');
  } else {
    const code = await stack.nextSmsCode(contact);
    expect(await client.api('POST', '/api/v1/identity/registrations/current/code', { code }), 200, 'code');
  }
  const done = expect(await client.api('POST', '/api/v1/identity/registrations/current/password',
    { password, password_repeat: password }), 201, 'password');
  await client.session();  // the session changed at sign-in: fetch its CSRF token
  return { account: done.json.account, contact, password, surname, name };
}

// An account registered by phone through the API in a throwaway client.
export async function newAccount(stack, { contact = uniquePhone(), ...rest } = {}) {
  return registerViaApi(stack, stack.client(), { contact, ...rest });
}

// Signs in through the sign-in page; returns the final response after redirects.
export async function signInViaPage(client, login, password, { remember = false, next } = {}) {
  const target = next === undefined ? '/signin' : `/signin?next=${encodeURIComponent(next)}`;
  expect(await client.get(target), 200, 'GET /signin');
  const res = await client.postForm(target, { login, password, remember: remember ? 'on' : undefined });
  return res;
}

// Signs in through the API; returns the response ({ signed_in, account }).
export async function signInViaApi(client, login, password, { remember = false } = {}) {
  const res = await client.api('POST', '/api/v1/identity/signin', { login, password, remember });
  if (res.status === 200) await client.session();
  return res;
}
