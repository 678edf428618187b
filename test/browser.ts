/** Shared pieces of the browser checks: Debian's chromium driven by playwright-core, no browser download. */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, Browser } from 'playwright-core';
import { ROOT } from './helpers';

export const CHROMIUM = process.env.MIXUP_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set MIXUP_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
