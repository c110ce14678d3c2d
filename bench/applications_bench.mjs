// Figures of the applications module (issue 13), through HTTP on loopback:
//  1. the median time to fill and send a 5-step form with the pages (no
//     JavaScript: a GET and a POST per step, the summary, the send), over
//     BENCH_RUNS runs (default 21), each a fresh draft;
//  2. the SQL statements of one view of the cabinet's list of applications
//     (X-Debug-Sql-Statements, from USLUGI_DEBUG_SQL_COUNT) at 1 and at 50
//     applications: it must not grow with the number of applications.
import assert from 'node:assert/strict';
import { startApplicationsStack } from '../tests/support/applications.mjs';

process.env.USLUGI_DEBUG_SQL_COUNT = '1';
const runs = Number(process.env.BENCH_RUNS || 21);
const SERVICE = 'business-start-notice';  // data/forms: 5 steps, no files
const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
const steps = [
  { full_name: 'ООО «Ромашка»', inn: '7707083893', ogrn: '1027700132195' },
  { activity: 'catering', start_date: tomorrow },
  { address: 'г. Пермь, ул. Ленина, д. 10', area: '54', tenure: 'lease' },
  { surname: 'Соколова', name: 'Дарья', position: 'директор' },
  { phone: '+7 912 345-67-89', email: '', truthful: 'yes' },
];

// One whole form through the pages; returns the application's path.
async function fillAndSend(c) {
  await c.get(`/services/${SERVICE}/apply`);
  const started = await c.postForm(`/services/${SERVICE}/apply`);
  assert.equal(started.status, 303, started.body.slice(0, 300));
  const draft = started.location.replace(/\/steps\/1$/, '');
  for (const [i, fields] of steps.entries()) {
    await c.get(`${draft}/steps/${i + 1}`);
    const r = await c.postForm(`${draft}/steps/${i + 1}`, { ...fields, action: 'next' });
    assert.equal(r.status, 303, `step ${i + 1}: ${r.body.slice(0, 600)}`);
  }
  const summary = await c.get(`${draft}/summary`);
  const key = summary.body.match(/name="submit_key" value="([^"]+)"/)[1];
  const sent = await c.postForm(`${draft}/submit`, { submit_key: key });
  assert.equal(sent.status, 303, sent.body.slice(0, 300));
  return sent.location;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const stack = await startApplicationsStack();
try {
  const c = await stack.citizen();
  await fillAndSend(c);  // warm-up (form and catalog caches, the first connections)
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fillAndSend(c);
    times.push(performance.now() - t0);
  }
  console.log(`5-step form filled and sent through HTTP: median ${median(times).toFixed(1)} ms over ${runs} runs ` +
    `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}; 14 requests each)`);

  const list = async (who) => {
    const r = await who.get('/account/applications');
    assert.equal(r.status, 200);
    return Number(r.headers.get('x-debug-sql-statements'));
  };
  const one = await stack.citizen();
  await fillAndSend(one);
  await list(one);
  const atOne = await list(one);
  for (let i = 1; i < 50; i++) await fillAndSend(one);
  const atFifty = await list(one);
  console.log(`SQL statements for one view of the cabinet's list: ${atOne} at 1 application, ${atFifty} at 50`);
  if (atFifty !== atOne) { console.error('the list grows with the number of applications'); process.exitCode = 1; }
} finally {
  await stack.stop();
}
