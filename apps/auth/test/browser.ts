import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Screenshots of every page the browser specs visit, kept as test artefacts for a person to look at. */
export const SCREENSHOTS = join(__dirname, '../../../.cache/test-artifacts/screenshots');

/**
 * Debian's chromium, looked up at run time (a test tool's own browser download fails on this network).
 * Without the background-networking flags Chromium keeps dialling Google's hosts, which are refused here.
 */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const executablePath = execFileSync('bash', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
