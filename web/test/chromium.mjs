// Debian's chromium under playwright-core, headless, in a throw-away profile,
// for the browser tests (page_test.mjs, form_test.mjs).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs body(context) and always closes the browser and removes the profile.
export async function withChromium(options, body) {
  const profile = mkdtempSync(join(tmpdir(), 'pixeldrill-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    ...options,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    return await body(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
