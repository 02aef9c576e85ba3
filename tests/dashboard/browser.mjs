// Headless Debian Chromium driven by playwright-core (never a downloaded
// browser), with a fresh profile, every request recorded so the test can
// prove the API token never appears in a URL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-deps (Debian package chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'otter-dashboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 860 },
    timeout: 60000,
  });
  const requests = [];
  const responses = [];
  const consoleErrors = [];
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), postData: r.postData() || '' }));
  context.on('response', (r) => responses.push({ url: r.url(), status: r.status() }));
  context.on('page', (page) => watchPage(page, consoleErrors));
  for (const page of context.pages()) watchPage(page, consoleErrors);
  return {
    context, requests, responses, consoleErrors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

function watchPage(page, errors) {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
}
