// Single sign-on throughput through HTTP on loopback: the token endpoint
// (code exchange with PKCE and client_secret_basic: one code per request),
// userinfo (signature check, grant lookup, profile read and the access record),
// and the home page in the same run as the yardstick. Bounded: a fixed number
// of requests per phase (BENCH_REQUESTS, default 2000) at BENCH_CONCURRENCY (16).
import { startIdentityStack, newAccount, signInViaApi } from '../tests/support/identity.mjs';
import { addClient, configure, authRequest, userAuthorizes, signInThrough } from '../tests/support/oidc.mjs';

const requests = Number(process.env.BENCH_REQUESTS || 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY || 16);

async function rate(label, count, one) {
  let next = 0, failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) if (!(await one(i))) failed++;
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = count / seconds;
  console.log(`${label.padEnd(34)} ${perSecond.toFixed(0).padStart(7)} req/s  (${count} requests, ${failed} failed)`);
  if (failed) process.exitCode = 1;
  return perSecond;
}

const stack = await startIdentityStack({ smtp: false, extraArgs: ['--log-level', 'warn'] });
try {
  const account = await newAccount(stack);
  const user = stack.client();
  await signInViaApi(user, account.contact, account.password);
  const client = await addClient(stack.database, { scopes: 'openid fullname mobile' });
  const config = await configure(stack.server, client);
  const first = await signInThrough(config, user, { scope: 'openid fullname mobile' });  // the consent, once

  // Codes first (each single use and a minute long), then their exchange.
  const codes = [];
  await rate('authorize (consent remembered)', requests, async () => {
    const req = await authRequest(config, { scope: 'openid fullname mobile' });
    const { callback } = await userAuthorizes(user, req.url);
    if (!callback) return false;
    codes.push({ code: callback.searchParams.get('code'), verifier: req.verifier });
    return true;
  });
  const basic = 'Basic ' + Buffer.from(`${client.id}:${client.secret}`).toString('base64');
  const tokenUrl = stack.url + '/oidc/token';
  const token = await rate('token endpoint (code exchange)', codes.length, async (i) => {
    const res = await fetch(tokenUrl, { method: 'POST', headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: codes[i].code, redirect_uri: client.redirect, code_verifier: codes[i].verifier }) });
    await res.arrayBuffer();
    return res.status === 200;
  });
  const bearer = { Authorization: `Bearer ${first.tokens.access_token}` };
  const userinfo = await rate('userinfo', requests, async () => {
    const res = await fetch(stack.url + '/oidc/userinfo', { headers: bearer });
    await res.arrayBuffer();
    return res.status === 200;
  });
  const home = await rate('home page (anonymous)', requests, async () => {
    const res = await fetch(stack.url + '/');
    await res.arrayBuffer();
    return res.status === 200;
  });
  console.log(`token endpoint / home page: ${(token / home).toFixed(2)}; userinfo / home page: ${(userinfo / home).toFixed(2)}`);
} finally {
  await stack.stop();
}
