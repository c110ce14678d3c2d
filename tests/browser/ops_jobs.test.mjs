// The operator page of dead jobs in a real browser: axe-core finds no
// violations, the browser's own Basic authentication prompt carries the
// operator token, and the retry button works without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, waitFor } from '../support/server.mjs';
import { launchBrowser, axeViolations, screenshot } from '../support/browser.mjs';

const token = randomBytes(24).toString('hex');
let server, browser, deadId;
before(async () => {
  server = await startServer(['--ops-token', token, '--job-backoff-base', '0', '--job-poll-ms', '50']);
  browser = await launchBrowser();
  const enqueue = async (body) => (await (await fetch(server.url + '/test/jobs', { method: 'POST', body: JSON.stringify(body) })).json()).ids[0];
  deadId = await enqueue({ key: 'registry-request-42', fail_times: 2, max_attempts: 2 });
  await enqueue({ key: 'bad-payload', permanent: true });
  await waitFor(async () => (await (await fetch(server.url + '/test/jobs')).json()).counts, (c) => c.dead === 2, { what: 'two dead jobs' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function operatorPage({ javaScript = true, width = 1280, locale = 'ru-RU' } = {}) {
  const context = await browser.newContext({
    javaScriptEnabled: javaScript, viewport: { width, height: 900 }, locale,
    httpCredentials: { username: 'operator', password: token },
  });
  return { page: await context.newPage(), close: () => context.close() };
}

test('the dead jobs page has zero axe violations in Russian and English and fits 320 px', { timeout: 60000 }, async () => {
  for (const [locale, lang] of [['ru-RU', 'ru'], ['en-GB', 'en']]) {
    const { page, close } = await operatorPage({ locale });
    await page.goto(server.url + '/ops/jobs');
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assert.equal(await page.locator('tbody tr').count(), 2);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${lang}: ${JSON.stringify(violations, null, 2)}`);
    await screenshot(page, `ops-jobs-${lang}`);
    await close();
  }
  const { page, close } = await operatorPage({ width: 320 });
  await page.goto(server.url + '/ops/jobs');
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `page is ${scroll}px wide on a ${client}px screen (the table scrolls inside its region)`);
  await screenshot(page, 'ops-jobs-320');
  await close();
});

test('without JavaScript the retry button puts the job back and it is done', { timeout: 60000 }, async () => {
  const { page, close } = await operatorPage({ javaScript: false, locale: 'en-GB' });
  await page.goto(server.url + '/ops/jobs');
  await page.click(`#job-${deadId} button[type=submit]`);
  assert.match(page.url(), new RegExp(`/ops/jobs\\?retried=${deadId}$`));
  assert.match(await page.textContent('[role=status]'), new RegExp(`The job is back in the queue, number ${deadId}`));
  const job = await waitFor(async () => (await fetch(`${server.url}/test/jobs/${deadId}`)).json(), (j) => j.state === 'done', { what: 'the retried job to be done' });
  assert.equal(job.runs, 1);
  await page.reload();
  assert.equal(await page.locator('tbody tr').count(), 1, 'only the permanently failing job is left');
  await close();
});
