// What every end-to-end test starts with: Debian's Chromium (never a downloaded browser), headless with the
// flags this machine needs, the renderer built from the working tree, and the folder screenshots are kept in.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join('test-artifacts', 'e2e');

/** The test's skip reason where Chromium is not installed, else false. */
export const withoutChromium: string | false = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

/** Builds the renderer (the tests run what the tree holds) and makes the screenshot folder. */
export function prepareRenderer(): void {
  execFileSync(process.execPath, ['scripts/build-renderer.js'], { stdio: 'inherit' });
  mkdirSync(ARTIFACTS, { recursive: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-dev-shm-usage',
    ],
  });
}
