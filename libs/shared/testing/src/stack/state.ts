import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StackState {
  profile: 'test';
  gatewayUrl: string;
  directoryUrl: string;
  authUrl: string;
  logFile: string;
  pids: Record<string, number>;
}

function root(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return dir;
}

export const REPO_ROOT = root();
export const STATE_FILE = join(REPO_ROOT, '.cache/test/stack.json');

export function readState(): StackState {
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StackState;
}

export function writeState(state: StackState): void {
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}
