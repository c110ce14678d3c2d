// The payments journey in a real browser: find a fine without an account,
// sign in, pay by card on the acquirer's page with its 3-D Secure step, come
// back to the paid payment and download the receipt. Every portal page on
// the way has zero axe violations and fits a 360 px phone.
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
    await screenshot(page, `payments-${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('find a fine without an account, sign in, pay by card with 3-D Secure, download the receipt', async () => {
  const phone = uniquePhone();
  const { password } = await registerViaApi(stack, stack.client(), { contact: phone });
  const licence = person('p0002').driver_licence.number;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU', });
  const page = await context.newPage();
  try {
    await page.goto(stack.url + '/payments');
    await checkPage(page, 'home-anonymous');
    await follow(page, 'a[href="/payments/fines"]');
    await checkPage(page, 'fines-form');
    await page.fill('#number', '59 47 17983');
    await follow(page, 'form.form button[type=submit]');
    assert.match(await page.textContent('main'), /10 цифр/);
    await checkPage(page, 'fines-error');
    await page.fill('#number', licence);
    await follow(page, 'form.form button[type=submit]');
    const found = await page.textContent('main');
    assert.match(found, /УИН/);
    assert.match(found, /Скидка/);
    await checkPage(page, 'fines-found-anonymous');

    await follow(page, 'main a[href^="/signin?next="]');
    await page.fill('#login', phone);
    await page.fill('#password', password);
    await follow(page, 'form.form button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/payments/fines');
    await page.fill('#number', licence);
    await follow(page, 'form.form button[type=submit]');
    await checkPage(page, 'fines-found');
    // Pay only the first fine: uncheck the others.
    const boxes = await page.$$('input[name=uin]');
    assert.ok(boxes.length >= 1);
    for (const box of boxes.slice(1)) await box.uncheck();
    await follow(page, 'form[action="/payments/pay"] button[type=submit]');
    assert.match(await page.textContent('main'), /Ожидает подтверждения/);
    await checkPage(page, 'payment-awaiting');
    await follow(page, '#to-bank');

    assert.match(page.url(), /\/bank\/checkout\//);
    await page.fill('#number', '4000 0000 0000 3220');
    await page.fill('#expiry', '12/30');
    await page.fill('#cvc', '123');
    await follow(page, 'form.card-form button[type=submit]');
    assert.match(page.url(), /\/bank\/3ds\//);
    await page.fill('#code', '123456');
    await follow(page, 'form.card-form button[type=submit]');

    assert.match(new URL(page.url()).pathname, /^\/payments\/[A-Za-z0-9_-]+$/);
    assert.match(await page.textContent('main'), /Оплачен/);
    await checkPage(page, 'payment-paid');
    // The link's target, fetched with the page's own cookies (a PDF viewer is not the point here).
    const href = await page.getAttribute('a[href$="/receipt.pdf"]', 'href');
    const answer = await page.request.get(stack.url + href);
    assert.equal(answer.headers()['content-type'], 'application/pdf');
    const pdf = await answer.body();
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');

    await page.goto(stack.url + '/payments');
    assert.match(await page.textContent('main'), /Оплачен/);
    await checkPage(page, 'home-history');
  } finally {
    await context.close();
  }
});
