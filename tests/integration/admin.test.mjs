// `uslugi admin` against a real database (SQLite or PostgreSQL, as the run
// chooses) and a real portal: a staff account created from the command line
// signs in with the password it printed, carries its role in the session's
// account, loses it when revoked; wrong input exits with code 2 and a reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { binary, root, freshDatabase, startServer } from '../support/server.mjs';
import { Client, uniqueEmail } from '../support/identity.mjs';

const dataKey = randomBytes(32).toString('hex');
let database, server;

function admin(...args) {
  const r = spawnSync(binary, ['admin', ...args, '--database', database.url, '--data-key', dataKey],
    { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  database = freshDatabase();
  const seeded = spawnSync(binary, ['seed', '--database', database.url], { cwd: root, encoding: 'utf8' });
  assert.equal(seeded.status, 0, seeded.stderr);
  server = await startServer(['--trust-proxy', '--data-key', dataKey], { database, seed: false });
});
after(async () => {
  await server?.stop();
  database?.drop();
});

const centre = 'mfc-perm-lenina-51';

test('a staff account signs in with its printed password and holds its role until revoked', async () => {
  const email = uniqueEmail();
  const created = admin('create-staff', '--role', 'operator', '--scope', centre, '--surname', 'Петрова', '--name', 'Ольга',
    '--email', email);
  assert.equal(created.code, 0, created.err);
  const password = created.out.match(/one-time password[^:]*: (\S+)/)?.[1];
  assert.ok(password && password.length >= 16, created.out);

  const c = new Client(server.url);
  const signin = await c.api('POST', '/api/v1/identity/signin', { login: email, password });
  assert.equal(signin.status, 200, signin.body);
  assert.deepEqual(signin.json.account.roles, ['operator']);

  assert.equal(admin('grant', '--login', email, '--role', 'sso').code, 0);
  const listed = admin('list-staff');
  assert.match(listed.out, new RegExp(`\\toperator\\t${centre}\\t`));
  assert.match(listed.out, /\tsso\t-\t/);
  assert.deepEqual((await c.session()).account.roles, ['operator', 'sso'], 'roles are read on every request');

  assert.equal(admin('revoke', '--login', email, '--role', 'operator', '--scope', centre).code, 0);
  assert.deepEqual((await c.session()).account.roles, ['sso']);
  const again = admin('revoke', '--login', email, '--role', 'operator', '--scope', centre);
  assert.equal(again.code, 2);
  assert.match(again.err, /does not hold that role/);
});

test('wrong input exits with code 2 and says what is wrong, creating nothing', () => {
  const before = admin('list-staff').out;
  const cases = [
    [['create-staff', '--role', 'operator', '--scope', 'no-such-centre', '--surname', 'Петрова', '--name', 'Ольга',
      '--email', uniqueEmail()], /no service centre "no-such-centre"/],
    [['create-staff', '--role', 'officer', '--surname', 'Петрова', '--name', 'Ольга', '--email', uniqueEmail()],
      /needs --scope/],
    [['create-staff', '--role', 'sso', '--scope', centre, '--surname', 'Петрова', '--name', 'Ольга',
      '--email', uniqueEmail()], /takes no --scope/],
    [['create-staff', '--role', 'sso', '--surname', 'Петрова', '--name', 'Ольга', '--email', 'not-an-email'],
      /contact is not valid/],
    [['create-staff', '--role', 'sso', '--surname', '<script>', '--name', 'Ольга', '--email', uniqueEmail()],
      /--surname is not a name/],
    [['create-staff', '--role', 'root', '--surname', 'Петрова', '--name', 'Ольга', '--email', uniqueEmail()],
      /root not in/],
    [['grant', '--login', uniqueEmail(), '--role', 'sso'], /no active account/],
  ];
  for (const [args, reason] of cases) {
    const r = admin(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    assert.match(r.err, reason);
  }
  assert.equal(admin('list-staff').out, before);
});
