// Starts a real `uslugi registries` sandbox for a test on a free port, with a
// fresh Maildir for the demo inbox; also reads the demo people it serves.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, binary } from './server.mjs';

export const people = JSON.parse(readFileSync(path.join(root, 'data/registries/people.json'), 'utf8')).people;
export const organisations = JSON.parse(readFileSync(path.join(root, 'data/registries/organisations.json'), 'utf8')).organisations;
export const person = (id) => people.find((p) => p.id === id);

// Resolves once the sandbox prints its address; `stop()` sends SIGTERM and
// resolves with the exit code; `mailDir` is the Maildir its inbox reads.
export async function startRegistries(extraArgs = [], { env = {} } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'uslugi-registries-'));
  const mailDir = path.join(dir, 'mail');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(path.join(mailDir, sub), { recursive: true });
  const args = ['registries', '--port', '0', '--mail-dir', mailDir, ...extraArgs];
  const child = spawn(binary, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) resolve(m[1]);
    });
    exited.then(({ code }) => {
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`uslugi registries exited with ${code} before listening:\n${stderr}`));
    });
  });
  let stopped = false;
  return {
    url,
    dir,
    mailDir,
    child,
    exited,
    log: () => stderr,
    async stop() {
      if (!stopped) {
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      }
      const result = await exited;
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}
