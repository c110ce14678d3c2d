// Payments through HTTP: a real `uslugi serve` and the registries sandbox, one
// database (sqlite, or the postgresql:// URL in USLUGI_TEST_DATABASE).
// Each virtual payer signs up, gets state fees (the charge interface, via the
// test route), then pays them one by one: the pay request (which opens the
// acquirer's page), the card on the acquirer's page, the return to the portal.
// Prints payments completed per second and the p50/p99 of the pay request.
//
//   node bench/payments.mjs [payers=8] [payments per payer=25]
import { randomBytes } from 'node:crypto';
import { startServer, freshDatabase, waitFor, backend } from '../tests/support/server.mjs';
import { startRegistries } from '../tests/support/registries.mjs';
import { Client, registerViaApi, uniquePhone } from '../tests/support/identity.mjs';

const payers = Number(process.argv[2] || 8);
const perPayer = Number(process.argv[3] || 25);

const registries = await startRegistries();
const database = freshDatabase();
const server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--data-key', randomBytes(32).toString('hex'),
  '--test-routes', '--log-level', 'warn'], { database });

async function nextSms(phone) {
  const res = await waitFor(() => fetch(`${registries.url}/sms/messages?phone=${encodeURIComponent(phone)}`).then((r) => r.json()),
    (j) => j.messages && j.messages.length > 0, { what: 'an SMS code' });
  return res.messages[0].text.match(/\d{6}/)[0];
}

async function payer() {
  const client = new Client(server.url);
  await registerViaApi({ nextSmsCode: nextSms }, client, { contact: uniquePhone() });
  const fees = [];
  for (let i = 0; i < perPayer; i++) fees.push((await client.api('POST', '/test/payments/fees', { amount: 10000 + i })).json.uin);
  return { client, fees };
}

const ready = await Promise.all(Array.from({ length: payers }, payer));
const latencies = [];
let failures = 0;
const started = performance.now();
await Promise.all(ready.map(async ({ client, fees }) => {
  for (const uin of fees) {
    const t0 = performance.now();
    const res = await client.api('POST', '/api/v1/payments', { uins: [uin] }, { headers: { 'Idempotency-Key': randomBytes(12).toString('hex') } });
    latencies.push(performance.now() - t0);
    if (res.status !== 201) { failures++; continue; }
    const card = await fetch(res.json.action_url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'number=4111111111111111&expiry=12%2F30&cvc=123' });
    const back = new URL(card.headers.get('location'));
    const returned = await client.get(back.pathname + back.search);
    if (returned.status !== 303) failures++;
  }
}));
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(1);
const total = payers * perPayer;
console.log(`payments over HTTP on ${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: ${total} paid by ${payers} payers in ${seconds.toFixed(1)} s` +
  ` = ${(total / seconds).toFixed(1)} payments/s (pay request + acquirer's page + return); pay request p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms; failures ${failures}`);
await server.stop();
await registries.stop();
database.drop();
