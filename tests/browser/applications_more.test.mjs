// The second part of applications in a real browser at phone width (360 px),
// axe-core clean on every page: with JavaScript a step checks a field as soon
// as it changes (the server's validator, through the JSON API) and puts the
// message in the field's error slot, tied with aria-describedby; an officer
// takes an application; a citizen files a standalone complaint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, axeViolations, screenshot, follow } from '../support/browser.mjs';
import { startApplicationsStack } from '../support/applications.mjs';
import { text } from '../support/identity.mjs';

let stack, browser;

before(async () => {
  stack = await startApplicationsStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function checkPage(page, name) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 2)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px`);
  await screenshot(page, `applications-more-${name}`);
}

async function phonePage(client) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  if (client) await context.addCookies([{ name: 'sid', value: client.sid, url: stack.url }]);
  return context.newPage();
}

test('a step validates as you go, in the field\'s error slot', async () => {
  const page = await phonePage(await stack.citizen());
  await page.goto(stack.url + '/services/criminal-record-certificate/apply');
  await follow(page, 'main form button[type=submit]');
  const slotText = async () => (await page.locator('#f-snils-error').count()) ? (await page.textContent('#f-snils-error')).trim() : '';
  assert.equal(await slotText(), '', 'no message before the field is touched');
  assert.doesNotMatch((await page.getAttribute('#f-snils', 'aria-describedby')) || '', /f-snils-error/);
  await page.fill('#f-snils', '112-233-445 96');
  await page.locator('#f-snils').blur();
  const slot = page.locator('#f-snils-error');
  await page.waitForFunction(() => (document.getElementById('f-snils-error')?.textContent || '').trim() !== '');
  assert.match(await slot.textContent(), /\S/);
  assert.match(await page.getAttribute('#f-snils', 'aria-describedby'), /\bf-snils-error\b/);
  assert.equal(await page.getAttribute('#f-snils', 'aria-invalid'), 'true');
  await checkPage(page, 'live-error');
  // A choice: the message goes to its fieldset.
  await page.check('#f-gender-female');
  await page.fill('#f-snils', '112-233-445 95');
  await page.locator('#f-snils').blur();
  await slot.waitFor({ state: 'detached' });
  assert.equal(await page.getAttribute('#f-snils', 'aria-invalid'), null);
  assert.doesNotMatch((await page.getAttribute('#f-snils', 'aria-describedby')) || '', /f-snils-error/);
  // Nothing was saved by checking: the draft still has no SNILS until the step is sent.
  await checkPage(page, 'live-fixed');
});

test('an officer takes an application; a citizen files a standalone complaint', async () => {
  const citizen = await stack.citizen();
  const draft = await citizen.api('POST', '/api/v1/applications/drafts', { service: 'criminal-record-certificate' });
  const base = `/api/v1/applications/drafts/${draft.json.id}`;
  const steps = [
    { surname: 'Соколова', name: 'Дарья', gender: 'female', birth_date: '1985-03-15', birth_place: 'г. Пермь', snils: '112-233-445 95' },
    { purpose: 'work', copies: '1' }, { previous_names: [] },
    { registration_address: 'г. Пермь, ул. Ленина, д. 1', same_address: 'yes', phone: '+7 912 345-67-89' }];
  for (const [i, values] of steps.entries()) assert.equal((await citizen.api('PUT', `${base}/steps/${i + 1}`, { values })).status, 200);
  const key = (await citizen.api('GET', `${base}/summary`)).json.idempotency_key;
  const sent = await citizen.api('POST', `${base}/submit`, undefined, { headers: { 'Idempotency-Key': key } });
  assert.equal(sent.status, 201);

  const officer = await stack.staff('giac');
  await stack.staff('giac');  // a colleague to give it to
  const office = await phonePage(null);
  await office.goto(stack.url + `/signin?next=/office/applications/${sent.json.id}`);
  await office.fill('#login', officer.email);
  await office.fill('#password', officer.password);
  await follow(office, 'main form button[type=submit]');
  await checkPage(office, 'office-assign');
  await follow(office, 'form.assignment:has(input[value=take]) button');
  assert.ok((await office.textContent('main')).includes(text('applications_more.assign.done', 'en')));
  await checkPage(office, 'office-taken');

  const page = await phonePage(citizen);
  await page.goto(stack.url + '/complaints/new');
  await checkPage(page, 'complaint-new');
  await page.selectOption('#complaint-authority', 'giac');
  await page.check('#subject-action');
  await page.fill('#complaint-body', 'Справку не выдают третий месяц');
  await follow(page, 'main form button[type=submit]');
  assert.match(page.url(), /\/account\/complaints\/\d+$/);
  await checkPage(page, 'complaint');
  await page.goto(stack.url + '/account/complaints');
  await checkPage(page, 'complaints-mine');
});

test('an organisation\'s administrator sees its applications', async () => {
  const [head, employee] = [await stack.citizen(), await stack.citizen()];
  const now = Math.floor(Date.now() / 1000);
  const ogrn = String(1027700000000 + (head.id % 100000));
  const org = Number(stack.scalar(`INSERT INTO org_organisations (ogrn, inn, short_name, full_name, head_account_id, created_at) VALUES ('${ogrn}', '7707083893', 'ООО «Ромашка»', 'Общество с ограниченной ответственностью «Ромашка»', ${head.id}, ${now}) RETURNING id`));
  for (const [c, role, services] of [[head, 'head', ''], [employee, 'employee', 'business-start-notice']]) {
    stack.scalar(`INSERT INTO org_members (organisation_id, account_id, role, status, services, invited_by, created_at, updated_at) VALUES (${org}, ${c.id}, '${role}', 'active', '${services}', ${head.id}, ${now}, ${now})`);
    stack.scalar(`UPDATE identity_accounts SET in_organisations = 1 WHERE id = ${c.id}`);  // as the service does
    assert.equal((await c.api('POST', '/api/v1/organisations/switch', { to: String(org) })).status, 200);
  }
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  const steps = [{ full_name: 'ООО «Ромашка»', inn: '7707083893', ogrn: '1027700132195' }, { activity: 'retail', start_date: tomorrow },
    { address: 'г. Пермь, ул. Ленина, д. 10', area: '54', tenure: 'own' }, { surname: 'Соколова', name: 'Дарья', position: 'директор' },
    { phone: '+7 912 345-67-89', truthful: 'yes' }];
  const draft = await employee.api('POST', '/api/v1/applications/drafts', { service: 'business-start-notice' });
  const base = `/api/v1/applications/drafts/${draft.json.id}`;
  for (const [i, values] of steps.entries()) assert.equal((await employee.api('PUT', `${base}/steps/${i + 1}`, { values })).status, 200);
  const summary = await phonePage(employee);
  await summary.goto(stack.url + `/applications/drafts/${draft.json.id}/summary`);
  assert.match(await summary.textContent('main'), /ООО «Ромашка»/);
  await checkPage(summary, 'summary-on-behalf');
  await follow(summary, 'main form button[type=submit]');
  assert.match(summary.url(), /\/account\/applications\/\d+/);

  const page = await phonePage(head);
  await page.goto(stack.url + '/account/organisation/applications');
  await checkPage(page, 'organisation-list');
  await follow(page, 'main .app-card a');
  assert.match(page.url(), /\/account\/organisation\/applications\/\d+$/);
  await checkPage(page, 'organisation-detail');
});
