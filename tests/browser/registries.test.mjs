// The sandbox's own pages in a real browser: the demo inbox (with SMS, push,
// an e-mail and a letter), the demo bank's sign-in and 3-D Secure pages have
// zero axe violations, fit 320 px, and the bank sign-in works by clicking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startRegistries, person } from '../support/registries.mjs';
import { launchBrowser, axeViolations, screenshot } from '../support/browser.mjs';

let sandbox, browser;
const anna = person('p0001');
const post = (p, body, headers = {}) => fetch(sandbox.url + p, {
  method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
});

before(async () => {
  sandbox = await startRegistries(['--post-delivery-seconds', '0']);
  browser = await launchBrowser();
  await post('/sms/messages', { phone: anna.phone, text: 'Код подтверждения: 482915. Никому его не сообщайте.' });
  await post('/push/messages', { phone: anna.phone, title: 'Заявление принято', body: 'Ведомство получило ваше заявление.' });
  await post('/post/letters', {
    recipient: { name: 'Смирнова Анна Сергеевна', address: { postcode: anna.address.postcode, text: anna.address.text } },
    content: 'Код подтверждения личности: 7341-2290',
  });
  const subject = `=?UTF-8?B?${Buffer.from('Подтвердите адрес электронной почты').toString('base64')}?=`;
  writeFileSync(path.join(sandbox.mailDir, 'new', '1.M1.test'),
    `From: noreply@uslugi.example\r\nTo: ${anna.email}\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nПерейдите по ссылке: http://127.0.0.1:8080/confirm?t=abc\r\n`);
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

async function freshPage({ width = 1280 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ru-RU' });
  return { page: await context.newPage(), close: () => context.close() };
}

test('the demo inbox and the demo bank pages have zero axe violations and fit 320 px', async () => {
  const pay = await (await post('/bank/payments', { amount: 70000, description: 'Госпошлина', card: { number: '4000000000003220', expiry: '12/35', cvc: '123' } }, { 'Idempotency-Key': 'browser-3ds' })).json();
  const pages = {
    inbox: '/demo/inbox',
    'inbox-phone': `/demo/inbox?phone=${encodeURIComponent(anna.phone)}`,
    'inbox-bad-phone': '/demo/inbox?phone=abc',
    'bank-signin': `/bank/id/authorize?client_id=uslugi&redirect_uri=${encodeURIComponent('http://portal.example/cb')}&state=x`,
    'bank-3ds': `/bank/3ds/${pay.id}`,
  };
  for (const width of [1280, 320]) {
    const { page, close } = await freshPage({ width });
    for (const [name, p] of Object.entries(pages)) {
      await page.goto(sandbox.url + p);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `${p} at ${width}px: ${JSON.stringify(violations, null, 2)}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${p} scrolls sideways at ${width}px`);
      if (width === 1280 || name === 'inbox') await screenshot(page, `registries-${name}-${width}`);
    }
    await close();
  }
});

test('the inbox shows the codes; signing in at the demo bank by clicking returns a code', async () => {
  const { page, close } = await freshPage();
  await page.goto(`${sandbox.url}/demo/inbox`);
  await page.fill('#phone', anna.phone);
  await page.click('button[type=submit]');
  assert.match(await page.textContent('main'), /Код подтверждения: 482915/);
  await page.goto(`${sandbox.url}/demo/inbox?email=${encodeURIComponent(anna.email)}`);
  assert.match(await page.textContent('main'), /Подтвердите адрес электронной почты/);
  await page.goto(`${sandbox.url}/demo/inbox`);
  assert.match(await page.textContent('main'), /7341-2290/);

  // The bank sends the browser back to the portal with a code: a stand-in portal catches it.
  const portal = http.createServer((req, res) => res.end('back at the portal'));
  await new Promise((r) => portal.listen(0, '127.0.0.1', r));
  const callback = `http://127.0.0.1:${portal.address().port}/cb`;
  await page.goto(`${sandbox.url}/bank/id/authorize?client_id=uslugi&redirect_uri=${encodeURIComponent(callback)}&state=st`);
  await page.fill('#phone', anna.phone);
  await page.fill('#password', 'demo');
  await Promise.all([page.waitForURL((u) => u.href.startsWith(callback)), page.click('button[value=signin]')]);
  portal.close();
  const back = new URL(page.url());
  assert.equal(back.searchParams.get('state'), 'st');
  const vouched = await (await post('/bank/id/token', { code: back.searchParams.get('code') })).json();
  assert.equal(vouched.person.snils, anna.snils);
  await close();
});
