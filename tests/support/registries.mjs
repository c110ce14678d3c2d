// Starts a real `uslugi registries` sandbox for a test on a free port, with a
// fresh Maildir for the demo inbox; also reads the demo people it serves.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, spawnUntil, stopper } from './server.mjs';

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
  const { child, exited, match, log } = await spawnUntil(args, /listening on (http:\/\/[^\s]+)/, {
    env, onEarlyExit: () => rmSync(dir, { recursive: true, force: true }),
  });
  const url = match[1];
  return {
    url,
    dir,
    mailDir,
    child,
    exited,
    log,
    stop: stopper(child, exited, () => rmSync(dir, { recursive: true, force: true })),
  };
}
