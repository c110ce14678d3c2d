// The applications stack for the integration and browser tests: `uslugi seed`
// (catalog and forms), the registries sandbox (SMS), an SMTP sink, and
// `uslugi serve` with its attachments in a temporary folder; officers are
// made with `uslugi admin create-staff` as an operator would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, freshDatabase, runCli } from './server.mjs';
import { startRegistries } from './registries.mjs';
import { Client, scalar, uniqueEmail, uniquePhone, strongPassword, signInViaApi, freePort, startSmtp, registerViaApi,
  nextSmsCode, nextEmailLink } from './identity.mjs';

// `serverArgs` are added to `uslugi serve`'s (e.g. a short job back-off).
export async function startApplicationsStack({ serverArgs = [] } = {}) {
  const database = freshDatabase();
  const key = randomBytes(32).toString('hex');
  const seeded = await runCli(['seed', '--database', database.url]);
  if (seeded.code !== 0) throw new Error('seed failed: ' + seeded.stderr);
  const registries = await startRegistries();
  const port = await freePort();
  const sink = await startSmtp(port, registries.mailDir);
  const dir = mkdtempSync(path.join(tmpdir(), 'apps-'));
  const server = await startServer(['--trust-proxy', '--registries-url', registries.url, '--job-poll-ms', '100',
    '--data-key', key, '--smtp-port', String(port), '--files-dir', path.join(dir, 'files'), ...serverArgs], { database });
  const stack = {
    server, registries, database, key, url: server.url,
    scalar: (sql) => scalar(database, sql),
    client: () => new Client(server.url),
    nextSmsCode: (phone, seen) => nextSmsCode(registries, phone, seen),
    nextEmailLink: (email, seen) => nextEmailLink(registries, email, seen),
    // An officer account of `scope` (a catalog authority): { email, password }.
    async staff(scope) {
      const email = uniqueEmail(), password = strongPassword();
      const file = path.join(dir, randomBytes(4).toString('hex'));
      writeFileSync(file, password);
      const r = await runCli(['admin', 'create-staff', '--database', database.url, '--data-key', key, '--role', 'officer',
        '--scope', scope, '--surname', 'Петров', '--name', 'Иван', '--email', email, '--password-file', file]);
      if (r.code !== 0) throw new Error('create-staff failed: ' + r.stderr + r.stdout);
      return { email, password };
    },
    // The same, signed in through the API.
    async officer(scope) {
      const { email, password } = await stack.staff(scope);
      const c = new Client(server.url);
      const res = await signInViaApi(c, email, password);
      assert.equal(res.status, 200, res.body);
      return c;
    },
    // A citizen registered by phone whose account is raised to `level` directly
    // in the database (the ways up are identity's own journeys, tested there).
    async citizen(level = 'confirmed') {
      const c = new Client(server.url);
      const { account } = await registerViaApi(stack, c, { contact: uniquePhone() });
      if (level !== 'simplified') stack.scalar(`UPDATE identity_accounts SET level = '${level}' WHERE id = ${account.id}`);
      c.id = account.id;
      return c;
    },
    async stop() {
      await server.stop();
      await sink.stop();
      await registries.stop();
      rmSync(dir, { recursive: true, force: true });
      database.drop();
    },
  };
  return stack;
}
