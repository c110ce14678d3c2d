// Personal data at rest (security review, defects 9 and 11): every file the
// portal creates is its user's alone, a data key file others could read is
// refused before anything starts, and a sealed value copied into another
// person's row is refused there rather than shown.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, freshDatabase, binary, root } from '../support/server.mjs';
import { startIdentityStack, newAccount, signInViaApi } from '../support/identity.mjs';

const mode = (file) => statSync(file).mode & 0o777;
const octal = (m) => '0' + m.toString(8);

// Runs `uslugi ARGS` until it exits or prints that it is listening (then it
// is stopped): { code, stdout, stderr, listened }.
function runUntilExitOrListening(args) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', listened = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!listened && /listening on/.test(stdout)) {
        listened = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr, listened }));
  });
}

describe('files at rest', () => {
  // About SQLite's own files, so on SQLite in both passes of the suite.
  test('a fresh serve on SQLite leaves the database, its -wal and -shm, its folder and the key file private', async () => {
    // A folder others may enter, so only what uslugi creates decides the modes below.
    const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-at-rest-'));
    chmodSync(dir, 0o755);
    const dbFile = path.join(dir, 'var', 'uslugi.db');
    const keyFile = path.join(dir, 'keys', 'data.key');
    const server = await startServer(['--data-key-file', keyFile], { database: { url: `sqlite://${dbFile}` } });
    try {
      // A write, so the write-ahead log has something in it.
      assert.equal((await fetch(server.url + '/settings')).status, 200);
      for (const file of [dbFile, dbFile + '-wal', dbFile + '-shm', keyFile]) {
        assert.ok(existsSync(file), `${file} exists while serving`);
        assert.equal(mode(file) & 0o077, 0, `${path.basename(file)} has mode ${octal(mode(file))}: group or others may use it`);
      }
      for (const folder of [path.dirname(dbFile), path.dirname(keyFile)])
        assert.equal(mode(folder) & 0o077, 0, `${folder} has mode ${octal(mode(folder))}`);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a data key file others can read is refused with the fix, and nothing starts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-key-'));
    const database = freshDatabase();
    try {
      const keyFile = path.join(dir, 'data.key');
      writeFileSync(keyFile, 'ab'.repeat(32) + '\n');
      chmodSync(keyFile, 0o644);
      for (const command of [['serve', '--port', '0'], ['migrate']]) {
        const result = await runUntilExitOrListening([...command, '--database', database.url, '--data-key-file', keyFile]);
        assert.equal(result.listened, false, `uslugi ${command[0]} started with a world-readable key file`);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, new RegExp(`data key file ${keyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        assert.ok(result.stderr.includes(`chmod 600 ${keyFile}`), result.stderr);
        assert.doesNotMatch(result.stderr, /terminate called|Aborted|what\(\)/);
      }
      // Fixed as the message says, the same file is taken.
      chmodSync(keyFile, 0o600);
      const fixed = await runUntilExitOrListening(['migrate', '--database', database.url, '--data-key-file', keyFile]);
      assert.equal(fixed.code, 0, fixed.stderr);
    } finally {
      database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sealed values bound to their row', () => {
  // What the portal does with a value that does not open where it is read:
  // it fails closed. The request is refused with the generic error (the log
  // names table, column and row), nobody is signed in, and the other
  // person's data is never shown; the account the value came from is untouched.
  test('a phone copied in SQL from one account to another is refused there, not shown', async () => {
    const stack = await startIdentityStack({ smtp: false });
    try {
      const anna = await newAccount(stack, { surname: 'Смирнова', name: 'Анна' });
      const petr = await newAccount(stack, { surname: 'Петров', name: 'Пётр' });
      const sealedIn = (id) => stack.scalar(`SELECT phone_enc FROM identity_accounts WHERE id = ${id}`);
      assert.match(sealedIn(anna.account.id), /^v2\./);
      stack.scalar(`UPDATE identity_accounts SET phone_enc = (SELECT phone_enc FROM identity_accounts WHERE id = ${anna.account.id}) WHERE id = ${petr.account.id}`);
      assert.equal(sealedIn(petr.account.id), sealedIn(anna.account.id));

      const client = stack.client();
      const res = await signInViaApi(client, petr.contact, petr.password);
      assert.equal(res.status, 500, res.body);
      assert.equal(res.json?.error?.code ?? res.json?.code, 'http.internal_error', res.body);
      assert.ok(!res.body.includes(anna.contact.slice(2)), 'Anna\'s phone must not show');
      assert.equal((await client.session()).signed_in, false);
      assert.match(stack.server.log(), /identity_accounts\.phone_enc of row \d+ does not open/);
      assert.ok(!stack.server.log().includes(anna.contact.slice(2)), 'the log names the place, never the value');

      const other = stack.client();
      const ok = await signInViaApi(other, anna.contact, anna.password);
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.json.account.id, anna.account.id);
    } finally {
      await stack.stop();
    }
  });
});
