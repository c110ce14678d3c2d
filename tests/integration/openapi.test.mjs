// docs/openapi.yaml: valid YAML (no duplicate keys), every $ref resolves, every
// operation says what it answers, and the payments API and the OIDC provider's
// endpoints the code registers are all documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { root } from '../support/server.mjs';

const text = readFileSync(path.join(root, 'docs/openapi.yaml'), 'utf8');
const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
const api = doc.toJS();
const methods = ['get', 'post', 'put', 'patch', 'delete'];

test('the file parses as YAML without errors or duplicate keys', () => {
  assert.deepEqual(doc.errors.map((e) => e.message), []);
  assert.match(api.openapi, /^3\.\d+\.\d+$/);
  assert.ok(Object.keys(api.paths).length > 50);
});

test('every $ref points at something that exists and every operation has responses', () => {
  const refs = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k === '$ref' ? refs.push(x) : walk(x));
  };
  walk(api);
  assert.ok(refs.length > 10);
  for (const ref of refs) {
    const target = ref.replace(/^#\//, '').split('/').reduce((o, k) => (o ? o[k] : undefined), api);
    assert.ok(target, `unresolved ${ref}`);
  }
  for (const [p, ops] of Object.entries(api.paths))
    for (const m of methods)
      if (ops[m]) assert.ok(ops[m].responses && Object.keys(ops[m].responses).length > 0, `${m.toUpperCase()} ${p} has no responses`);
});

// The paths the code registers ("/api/v1/payments…", "/oidc/…", discovery), from the sources.
function registered(dir, pattern) {
  const found = new Set();
  for (const f of readdirSync(path.join(root, dir))) {
    if (!f.endsWith('.cpp')) continue;
    for (const m of readFileSync(path.join(root, dir, f), 'utf8').matchAll(pattern)) found.add(m[1]);
  }
  return [...found];
}

test('the payments API as the code registers it is documented', () => {
  const paths = registered('src/payments', /"(\/api\/v1\/payments[^"]*)"/g);
  // The look-ups are registered in a loop over their kinds.
  for (const kind of ['fines', 'taxes', 'debts', 'utilities']) paths.push(`/api/v1/payments/${kind}`);
  assert.ok(paths.length >= 8, paths.join(' '));
  for (const p of paths) if (!p.endsWith('/')) assert.ok(api.paths[p], `undocumented ${p}`);
  for (const p of ['/payments/{id}/receipt.pdf', '/payments/charges/{uin}/receipt.pdf']) assert.ok(api.paths[p], p);
  assert.ok(api.paths['/api/v1/payments'].post.parameters.some((x) => x.name === 'Idempotency-Key'));
  assert.deepEqual(api.components.schemas.Charge.properties.source.enum, ['gibdd', 'fns', 'fssp', 'fee', 'utilities']);
});

test('the OIDC provider endpoints are documented with the methods the code answers', () => {
  const paths = registered('src/oidc', /router\.(?:get|post)\("(\/(?:oidc|\.well-known)\/[^"]*)"/g)
    .filter((p) => !p.startsWith('/oidc/clients') && !p.startsWith('/oidc/sites'));
  for (const p of ['/.well-known/openid-configuration', '/oidc/authorize', '/oidc/token', '/oidc/userinfo', '/oidc/revoke', '/oidc/introspect', '/oidc/logout', '/oidc/jwks'])
    assert.ok(paths.includes(p), `the code registers ${p}`);
  for (const p of paths) assert.ok(api.paths[p], `undocumented ${p}`);
  const sources = registered('src/oidc', /router\.(get|post)\("\/oidc\/(?:token|revoke|introspect)"/g);
  assert.deepEqual(sources, ['post']);
  for (const p of ['/oidc/token', '/oidc/revoke', '/oidc/introspect']) assert.deepEqual(Object.keys(api.paths[p]).filter((k) => methods.includes(k)), ['post'], p);
  for (const p of ['/oidc/authorize', '/oidc/userinfo', '/oidc/logout']) assert.deepEqual(Object.keys(api.paths[p]).filter((k) => methods.includes(k)).sort(), ['get', 'post'], p);
});
