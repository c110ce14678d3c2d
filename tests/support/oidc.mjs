// Helpers of the single sign-on tests: relying parties registered through
// `uslugi admin sso-client add`, openid-client configured against a test
// server, and the user's part of the authorization (consent) driven through
// the pages with a cookie-holding Client.
import * as oidc from 'openid-client';
import * as jose from 'jose';
import { runCli } from './server.mjs';

export { oidc, jose };

let counter = 0;
export const clientId = (prefix = 'site') => `${prefix}-${process.pid}-${++counter}`;

// Registers a relying party; returns { id, secret?, redirect }.
export async function addClient(database, { id = clientId(), name = 'Региональный портал', scopes = 'openid fullname',
  redirect = 'http://127.0.0.1:9/cb', auth, jwksFile, minLevel, alg, logoutUri, backchannel, extra = [] } = {}) {
  const args = ['admin', 'sso-client', 'add', '--database', database.url, '--id', id, '--name', name,
    '--redirect-uri', redirect, '--scopes', scopes];
  if (auth) args.push('--auth', auth);
  if (jwksFile) args.push('--jwks-file', jwksFile);
  if (minLevel) args.push('--min-level', minLevel);
  if (alg) args.push('--alg', alg);
  if (logoutUri) args.push('--post-logout-uri', logoutUri);
  if (backchannel) args.push('--backchannel-logout-uri', backchannel);
  args.push(...extra);
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`sso-client add failed (${r.code}): ${r.stderr}`);
  const secret = r.stdout.match(/client_secret: (\S+)/);
  return { id, secret: secret ? secret[1] : null, redirect };
}

// openid-client's Configuration for a client over plain HTTP on loopback.
export async function configure(server, client, { auth, metadata = {} } = {}) {
  const authentication = auth ?? oidc.ClientSecretBasic(client.secret);
  const config = await oidc.discovery(new URL(server.url), client.id, { ...metadata }, authentication,
    { execute: [oidc.allowInsecureRequests] });
  return config;
}

export function unescapeHtml(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#x27;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&#x2F;/g, '/').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');
}

// Hidden fields of the first form posting to `action` in a page.
export function formFields(html, action) {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action}`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]] = unescapeHtml(m[2]);
  return fields;
}

// A new authorization request with PKCE, state and nonce.
export async function authRequest(config, { scope = 'openid fullname', redirect = 'http://127.0.0.1:9/cb', extra = {} } = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect, scope, state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return { url, verifier, state, nonce, redirect };
}

// The user's part: opens the authorization URL with the signed-in `user`
// (a Client), answers the consent screen if one is shown (`decision`), and
// returns { callback: URL, consentShown, res }.
export async function userAuthorizes(user, url, { decision = 'allow' } = {}) {
  let res = await user.get(url.href);
  let consentShown = false;
  if (res.status === 200 && res.body.includes('action="/oidc/authorize"')) {
    consentShown = true;
    const fields = formFields(res.body, '/oidc/authorize');
    res = await user.postForm('/oidc/authorize', { ...fields, decision });
  }
  if (res.status !== 302 && res.status !== 303) return { callback: null, consentShown, res };
  return { callback: new URL(res.location), consentShown, res };
}

// Sign-in through a site with openid-client: returns the token response and its ID token claims.
export async function signInThrough(config, user, options = {}) {
  const req = await authRequest(config, options);
  const { callback, consentShown, res } = await userAuthorizes(user, req.url, options);
  if (!callback) throw new Error(`no redirect back to the site: ${res.status}\n${res.body.slice(0, 500)}`);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
  });
  return { tokens, claims: tokens.claims(), consentShown, callback, req };
}

// POSTs a form to a provider endpoint with HTTP Basic credentials: { status, json, headers }.
export async function postForm(url, fields, { id, secret } = {}) {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (id) headers.Authorization = 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers };
}
