// Paying from a mobile phone account in a real browser: find a fine, choose
// the phone on the pay form, type the provider's SMS code on its page, come
// back to the paid payment. The portal's pages on the way have zero axe
// violations and fit a 360 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startIdentityStack, registerViaApi, uniquePhone } from '../support/identity.mjs';
import { person } from '../support/registries.mjs';

let stack, browser;

before(async () => {
  stack = await startIdentityStack({ extraArgs: ['--payment-check-seconds', '1'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function checkPage(page, name) {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${name} at ${width}px: ${JSON.stringify(violations, null, 2)}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways at ${width}px`);
    await screenshot(page, `payments-wallets-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('pay a fine from the mobile phone account with the SMS code', async () => {
  const phone = uniquePhone();
  const { password } = await registerViaApi(stack, stack.client(), { contact: phone });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    await page.goto(stack.url + '/signin?next=/payments/fines');
    await page.fill('#login', phone);
    await page.fill('#password', password);
    await follow(page, 'form.form button[type=submit]');
    await page.fill('#number', person('p0002').driver_licence.number);
    await follow(page, 'form.form button[type=submit]');
    const boxes = await page.$$('input[name=uin]');
    for (const box of boxes.slice(1)) await box.uncheck();
    await page.check('#pay-method-mobile');
    await checkPage(page, 'fines-method');
    await follow(page, 'form[action="/payments/pay"] button[type=submit]');
    const awaiting = await page.textContent('main');
    assert.match(awaiting, /Со счёта мобильного телефона/);
    assert.match(awaiting, /SMS/);
    await checkPage(page, 'payment-awaiting');
    await follow(page, '#to-bank');

    assert.match(page.url(), /\/bank\/wallet\//);
    const sms = (await stack.sms(phone)).find((m) => m.sender === 'DemoMobile');
    assert.ok(sms, 'the provider sent its code');
    await page.fill('#code', sms.text.match(/Код (\d{6})/)[1]);
    await follow(page, 'form.card-form button[value=confirm]');
    assert.match(new URL(page.url()).pathname, /^\/payments\/[A-Za-z0-9_-]+$/);
    assert.match(await page.textContent('main'), /Оплачен/);
    await checkPage(page, 'payment-paid');
  } finally {
    await context.close();
  }
});
