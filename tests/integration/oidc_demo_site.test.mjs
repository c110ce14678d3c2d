// `uslugi demo-site`: the demo regional portal registers itself, sends the
// user through the portal's consent, and shows the verified ID token and the
// userinfo it got; back-channel logout ends its session.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startIdentityStack, newAccount, signInViaApi, freePort, Client } from '../support/identity.mjs';
import { spawnUntil, stopper, waitFor } from '../support/server.mjs';
import { formFields } from '../support/oidc.mjs';

test('the demo site signs a user in through the portal and shows what it got', async () => {
  const stack = await startIdentityStack({ smtp: false });
  let demo;
  try {
    const port = await freePort();
    const started = await spawnUntil(['demo-site', '--database', stack.database.url, '--issuer', stack.url, '--port', String(port)],
      /demo site listening on (\S+)/);
    demo = { ...started, stop: stopper(started.child, started.exited) };
    const demoUrl = started.match[1];
    assert.equal(demoUrl, `http://127.0.0.1:${port}`);

    const account = await newAccount(stack);
    const user = stack.client();
    await signInViaApi(user, account.contact, account.password);
    const browser = new Client(demoUrl);  // the same person's cookies at the demo site

    const login = await browser.get('/login');
    assert.equal(login.status, 302);
    assert.ok(login.location.startsWith(stack.url + '/oidc/authorize?'));
    const consent = await user.get(login.location);
    assert.equal(consent.status, 200);
    assert.match(consent.body, /Демо: региональный портал/);
    const allowed = await user.postForm('/oidc/authorize', { ...formFields(consent.body, '/oidc/authorize'), decision: 'allow' });
    assert.equal(allowed.status, 303);
    assert.ok(allowed.location.startsWith(demoUrl + '/callback?'));
    const back = await browser.get(allowed.location.slice(demoUrl.length));
    assert.equal(back.status, 303, back.body);
    const home = await browser.get('/');
    assert.match(home.body, /Вы вошли через госуслуги/);
    assert.ok(home.body.includes(account.contact), 'the phone number from userinfo');
    assert.match(home.body, /<th scope="row">acr<\/th><td>simplified<\/td>/);

    // Signing out at the portal from the demo site: the back channel ends the demo's session too.
    const out = await browser.get('/logout');
    const confirm = await user.get(out.location);
    const done = await user.postForm('/oidc/logout', formFields(confirm.body, '/oidc/logout'));
    assert.equal(done.location, demoUrl + '/');
    await waitFor(async () => (await browser.get('/')).body, (b) => b.includes('Войти через госуслуги'), { what: 'the back-channel logout' });
  } finally {
    await demo?.stop();
    await stack.stop();
  }
});
