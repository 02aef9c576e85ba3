// The dashboard in headless Chromium against a real otterd, Mosquitto and
// otter-sim boards:
//   rollout: log in through the UI, create a job from an uploaded image and
//            its signature, watch the rollout complete (one board that trusts
//            another signer refuses it), cancel a second job, check the pages, the
//            login redirect, and that the token never appears in a URL.
//   scale:   10,000 things; prints the first render time of the fleet page.
// Screenshots go to --artifacts. Exit code 0 = pass, 1 = fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launch } from './browser.mjs';
import { Sim, Stack, buildFirmware, log, opensslSign, waitFor } from './stack.mjs';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'rollout' },
    repo: { type: 'string' },
    'build-dir': { type: 'string' },
    sim: { type: 'string' },
    artifacts: { type: 'string' },
    things: { type: 'string', default: '10000' },
    keep: { type: 'boolean', default: false },
  },
});

let passed = 0;
function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  passed++;
  log(`ok - ${message}`);
}

async function screenshot(page, name) {
  fs.mkdirSync(args.artifacts, { recursive: true });
  const file = path.join(args.artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

async function login(page, base, token) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login(\?|$)/);
  await page.getByLabel('API token').fill(token);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

// Every form control has an accessible name (label element or aria-label).
async function unlabelledControls(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label')
      && !el.closest('label'))
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)));
}

async function rollout(stack, work, browser) {
  const api = stack.api;
  const base = api.base;
  const creds = path.join(work, 'credentials');
  const board = 'numaker-iot-m487';

  // What operators do with the CLI before using the dashboard.
  await api.call('POST', '/api/v1/signing-profiles', { name: 'dash' });
  const fleet = ['dash-1', 'dash-2', 'dash-3', 'dash-4'];
  for (const name of fleet) await api.createThing(name, board, creds, 'dash');
  // dash-5 trusts another code-signing certificate: it must refuse the image.
  await api.call('POST', '/api/v1/signing-profiles', { name: 'other' });
  await api.createThing('dash-5', board, creds, 'other');
  await api.call('POST', '/api/v1/things', { thingName: 'dash-offline', board, issueCertificate: false });
  await api.call('POST', '/api/v1/groups', { thingGroupName: 'lab', description: 'bench boards', things: ['dash-1', 'dash-2'] });

  const old = await buildFirmware(args.sim, path.join(work, 'fw_1.0.0.bin'), { board, version: '1.0.0', size: '96k' });
  const next = await buildFirmware(args.sim, path.join(work, 'fw_1.0.1.bin'), { board, version: '1.0.1', size: '96k' });
  // The operator's signature, made outside otterd with the profile's key.
  const signature = await opensslSign(path.join(stack.dataDir, 'signing', 'dash', 'key.pem'), next,
    path.join(work, 'fw_1.0.1.bin.sig'));
  const badSignature = path.join(work, 'corrupt.sig');
  fs.writeFileSync(badSignature, Buffer.from(fs.readFileSync(signature)).reverse());

  // Boards online before the job: a fleet of four M487s on a slowish link, and
  // dash-5, whose code-verify certificate does not match the image's signer.
  const sims = [];
  const simArgs = ['--broker', `127.0.0.1:${stack.mqttPort}`, '--self-test-timeout-ms', '8000', '--console', 'none',
    '--link', 'rtt=30ms,bw=384kbit'];
  sims.push(new Sim(args.sim, work, 'fleet').start(['--board', board, '--credentials', creds, '--fleet', '4',
    '--prefix', 'dash-', '--factory', old, '--until', 'version=1.0.1', '--idle-seconds', '2', '--timeout', '150',
    ...simArgs]));
  sims.push(new Sim(args.sim, work, 'dash-5').start(['--board', board, '--credentials', path.join(creds, 'dash-5'),
    '--factory', old, '--timeout', '170', ...simArgs]));

  try {
    const page = await browser.context.newPage();

    // 1. Unauthenticated: every page sends you to the login page.
    for (const p of ['/', '/things', '/jobs', '/jobs/some-job', '/firmware', '/groups', '/jobs/new']) {
      await page.goto(base + p);
      await page.waitForURL(/\/login\?next=|\/login$/);
      check(new URL(page.url()).pathname === '/login', `unauthenticated visit to ${p} lands on /login`);
    }
    check((await unlabelledControls(page)).length === 0, 'the login form has a label for every control');
    await screenshot(page, '01-login');

    // A wrong token is refused with a message, not stored.
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'does not accept' }).waitFor();
    check(await page.evaluate(() => sessionStorage.length === 0), 'a refused token is not kept');

    // 2. Log in with the keyboard: the token field has focus, Enter submits.
    await page.goto(`${base}/things`);
    await page.waitForURL(/\/login/);
    check(await page.evaluate(() => document.activeElement && document.activeElement.id === 'token'),
      'the token field has focus on the login page');
    await page.keyboard.type(stack.token);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/things`);
    check(true, 'after login the page asked for (/things) is shown');

    // 3. Things and groups.
    const things = page.locator('#things-table tbody tr');
    await waitFor('6 things listed', async () => (await things.count()) === 6, 15000);
    const row = page.locator('#things-table tbody tr', { hasText: 'dash-5' });
    check((await row.innerText()).includes(board), 'the things page shows each thing\'s board');
    check((await page.locator('#things-table tbody tr', { hasText: 'dash-1' }).innerText()).includes('lab'),
      'the things page shows group membership');
    await page.getByLabel('Group').selectOption('lab');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor('the lab group filter', async () => (await things.count()) === 2, 10000);
    check(true, 'filtering the fleet by group shows only its members');
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.locator('#groups-table').getByText('bench boards').waitFor();
    check((await page.locator('#groups-table tbody tr').innerText()).includes('2'), 'the groups page shows member counts');

    // 4. Create a job through the UI; first with a corrupt signature.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.locator('#create-job').waitFor();
    // Keyboard only: Tab from the page content to "Create job", Enter follows it.
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'create-job');
    }
    check(reached, 'the "Create job" link is reachable with the Tab key');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/jobs/new`);
    check((await unlabelledControls(page)).length === 0, 'the job form has a label for every control');
    await page.getByLabel('Firmware image').setInputFiles(next);
    await page.getByLabel('Signature file').setInputFiles(badSignature);
    await page.getByLabel('Things').fill('dash-3, dash-4\ndash-5');
    await page.getByRole('checkbox', { name: /lab/ }).check();
    await page.getByLabel('Job id (optional)').fill('dash-rollout');
    await page.getByRole('button', { name: 'Create job' }).click();
    const refusal = page.locator('#create-status [role=alert]');
    await refusal.waitFor();
    check(/otterd refused/.test(await refusal.innerText()), 'a signature that does not verify is refused with a message');
    check((await page.getByLabel('Things').inputValue()).includes('dash-5'), 'the form keeps what was typed after a refusal');
    check((await api.call('GET', '/api/v1/firmware')).total === 0, 'nothing is stored after a refused upload');
    await screenshot(page, '02-job-form-refused');

    await page.getByLabel('Signature file').setInputFiles(signature);
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(`${base}/jobs/dash-rollout`);
    check(true, 'creating the job opens its rollout view');

    // 5. Watch it: progress bars while downloading, then completion.
    const devices = page.locator('#devices-table tbody tr');
    await waitFor('a device downloading', async () =>
      (await page.locator('#devices-table tr[data-status=IN_PROGRESS]').count()) > 0, 60000, 200);
    await waitFor('a progress bar moving', async () => page.evaluate(() =>
      [...document.querySelectorAll('#devices-table progress')].some((p) => p.value > 0 && p.value < p.max)), 30000, 100)
      .then(() => check(true, 'per-device progress bars show a download under way'))
      .catch(() => log('no partial progress bar caught (downloads finished between polls)'));
    await screenshot(page, '03-rollout-running');
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 150000 });
    check(true, 'the job reaches COMPLETED on the page');
    const counts = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#execution-counts li')]
      .map((li) => [li.dataset.state, Number(li.querySelector('.n').textContent.replace(/,/g, ''))])));
    check(counts.SUCCEEDED === 4, `4 executions SUCCEEDED (page says ${JSON.stringify(counts)})`);
    check((counts.FAILED || 0) + (counts.REJECTED || 0) === 1, 'the execution of dash-5 (other signer) is FAILED or REJECTED');
    const failure = page.locator('#failures-table tbody tr', { hasText: 'dash-5' });
    await failure.waitFor();
    const reason = await failure.locator('td.reason').innerText();
    check(reason.trim().length > 0 && reason !== 'no reason given', `the failure shows the device's reason ("${reason}")`);
    check(await page.locator('svg.chart path.line').count() >= 2, 'the counts-over-time chart draws the states seen');
    check((await devices.count()) === 5, 'the devices table lists all five executions');
    check(await page.locator('#devices-table tr[data-status=SUCCEEDED] progress').evaluateAll(
      (bars) => bars.length === 4 && bars.every((b) => b.value === b.max)), 'succeeded devices show full progress bars');
    await screenshot(page, '04-rollout-completed');

    // Conditional polling: the finished job is answered with 304s.
    const before = browser.responses.filter((r) => r.status === 304 && r.url.includes('/api/v1/jobs/dash-rollout')).length;
    await page.waitForTimeout(3500);
    const after = browser.responses.filter((r) => r.status === 304 && r.url.includes('/api/v1/jobs/dash-rollout')).length;
    check(after > before, `polling an unchanged job is answered 304 Not Modified (${after - before} in 3.5 s)`);

    // 6. The fleet after the update.
    const fleetCode = await sims[0].exited;
    check(fleetCode === 0, `otter-sim reports every M487 on 1.0.1 (exit ${fleetCode})`);
    await page.getByRole('link', { name: 'Things' }).click();
    const updated = page.locator('#things-table tbody tr', { hasText: 'dash-3' });
    await waitFor('dash-3 on 1.0.1', async () => (await updated.innerText()).includes('1.0.1'), 15000);
    check(!(await updated.innerText()).includes('never'), 'an updated thing shows its version and when it was last seen');
    check((await page.locator('#things-table tbody tr', { hasText: 'dash-offline' }).innerText()).includes('never'),
      'a thing never heard from says so');
    await screenshot(page, '05-things-after');
    await page.getByRole('link', { name: 'Firmware' }).click();
    const fw = page.locator('#firmware-table tbody tr').first();
    await fw.waitFor();
    const fwText = await fw.innerText();
    check(fwText.includes('1.0.1') && fwText.includes(board) && fwText.includes('signature verified'),
      'the firmware page shows descriptor version, board and signature status');
    await screenshot(page, '06-firmware');

    // 7. A job for a device that is offline, canceled from the UI.
    await page.goto(`${base}/jobs/new?firmware=${(await api.call('GET', '/api/v1/firmware')).firmware[0].firmwareId}`);
    await page.getByLabel('Things').fill('dash-offline');
    await page.getByLabel('Job id (optional)').fill('dash-cancel');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(`${base}/jobs/dash-cancel`);
    await page.locator('#devices-table tr[data-status=QUEUED]').waitFor();
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.getByLabel('Comment (optional)').fill('device is in storage');
    await page.getByRole('button', { name: 'Cancel the job' }).click();
    await page.locator('h1 .badge', { hasText: 'canceled' }).waitFor({ timeout: 15000 });
    await page.locator('#devices-table tr[data-status=CANCELED]').waitFor({ timeout: 15000 });
    check((await page.locator('#job-notice').innerText()).includes('device is in storage'),
      'a canceled job shows its state and comment; its queued execution is CANCELED');
    await screenshot(page, '07-job-canceled');

    // 8. Abort criteria set in the form: dash-5 fails again, the job aborts and
    //    the offline thing's queued execution never starts.
    await page.goto(`${base}/jobs/new?firmware=${(await api.call('GET', '/api/v1/firmware')).firmware[0].firmwareId}`);
    await page.getByLabel('Things').fill('dash-5 dash-offline');
    await page.getByLabel('Abort when failures reach % (optional)').fill('50');
    await page.getByLabel('… after this many devices finished').fill('1');
    await page.getByLabel('Job id (optional)').fill('dash-abort');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(`${base}/jobs/dash-abort`);
    await page.locator('h1 .badge', { hasText: 'canceled' }).waitFor({ timeout: 60000 });
    await page.locator('#devices-table tr[data-status=CANCELED]').waitFor({ timeout: 15000 });
    check((await page.locator('#job-notice').innerText()).startsWith('Aborted'),
      'a job stopped by its abort criteria says it was aborted');
    check((await page.locator('#failures-table tbody tr', { hasText: 'dash-5' }).count()) === 1,
      'the failure that triggered the abort is listed with its reason');
    await screenshot(page, '08-job-aborted');

    // 9. On a phone.
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    // sessionStorage belongs to one tab: a new tab signs in again.
    await phone.goto(`${base}/jobs/dash-rollout`);
    await phone.waitForURL(/\/login\?next=/);
    check(true, 'a new tab does not inherit the token');
    await phone.getByLabel('API token').fill(stack.token);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.waitForURL(`${base}/jobs/dash-rollout`);
    await phone.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the rollout view fits a 390 px phone screen (overflow ${overflow} px)`);
    await screenshot(phone, '09-phone-rollout');
    await phone.goto(`${base}/things`);
    await phone.locator('#things-table').waitFor();
    await screenshot(phone, '10-phone-things');
    await phone.close();

    // 10. Logging out forgets the token; the pages go back to the login.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${base}/jobs/dash-rollout`);
    await page.waitForURL(/\/login\?next=/);
    check(await page.evaluate((t) => sessionStorage.getItem('otter.apiToken') === null &&
      !Object.values(sessionStorage).some((v) => v.includes(t)), stack.token), 'logging out removes the token from the tab');

    // 11. The token never travelled in a URL, and never in a cookie.
    const leaks = browser.requests.filter((r) => r.url.includes(stack.token) || decodeURIComponent(r.url).includes(stack.token));
    check(browser.requests.length > 50 && leaks.length === 0,
      `the token appears in none of the ${browser.requests.length} request URLs`);
    check((await browser.context.cookies()).length === 0, 'the dashboard sets no cookies');
    // The refused token (401) and the refused signature (422) are the only failed loads expected.
    const unexpected = browser.consoleErrors.filter((e) => !/status of (401|422) /.test(e));
    check(unexpected.length === 0, `no other errors in the console (${unexpected.join(' | ')})`);
  } catch (e) {
    for (const s of sims) process.stderr.write(`--- ${s.logPath} (tail) ---\n${s.tail()}\n`);
    throw e;
  } finally {
    for (const s of sims) await s.stop();
  }
}

async function scale(stack, work, browser) {
  const api = stack.api;
  const total = Number(args.things);
  const started = Date.now();
  // Registration without certificates: the fleet page is what is measured.
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      await api.call('POST', '/api/v1/things', {
        thingName: `fleet-${String(i).padStart(5, '0')}`, board: i % 3 ? 'numaker-iot-m487' : 'numaker-pfm-m487',
        attributes: { firmwareVersion: '1.0.0' }, issueCertificate: false,
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  log(`registered ${total} things in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const page = await browser.context.newPage();
  await login(page, api.base, stack.token);
  const figures = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`${api.base}/things`);
    await page.locator('#things-table tbody tr').nth(99).waitFor();
    await page.waitForFunction(() => performance.getEntriesByName('otter:first-render').length > 0);
    figures.push(await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { firstRender: performance.getEntriesByName('otter:first-render')[0].startTime,
        domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
    }));
  }
  const heading = await page.locator('h1').innerText();
  check(heading.includes('10,000') || heading.includes(total.toLocaleString('en')), `the fleet page counts ${total} things ("${heading}")`);
  check((await page.locator('#things-table tbody tr').count()) === 100, 'one page of 100 things is rendered');
  await screenshot(page, '11-things-10000');
  const best = Math.min(...figures.map((f) => f.firstRender));
  const worst = Math.max(...figures.map((f) => f.firstRender));
  // A figure, not an assertion: CI machines differ.
  console.log(`FIGURE dashboard first render with ${total} things: ${best.toFixed(0)}-${worst.toFixed(0)} ms ` +
    `(navigation start to first page of 100 on screen; DOMContentLoaded ${figures[0].domContentLoaded.toFixed(0)} ms)`);
  const text = await (await fetch(`${api.base}/api/v1/dashboard/things?limit=100`, {
    headers: { Authorization: `Bearer ${stack.token}` } })).text();
  console.log(`FIGURE fleet page response: ${text.length} bytes for 100 of ${total} things`);
}

async function main() {
  for (const k of ['repo', 'build-dir', 'sim', 'artifacts']) if (!args[k]) throw new Error(`--${k} is required`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'otter-dashboard-'));
  const stack = new Stack(args.repo, args['build-dir'], work);
  let browser = null;
  try {
    await stack.up();
    browser = await launch();
    if (args.scenario === 'rollout') await rollout(stack, work, browser);
    else if (args.scenario === 'scale') await scale(stack, work, browser);
    else throw new Error(`unknown scenario ${args.scenario}`);
    console.log(`PASS: ${passed} checks`);
  } catch (e) {
    process.exitCode = 1;
    console.log(`FAIL: ${e.stack || e.message}`);
    if (browser) {
      for (const page of browser.context.pages()) {
        await screenshot(page, `failure-${browser.context.pages().indexOf(page)}`).catch(() => {});
      }
    }
    stack.dumpLogs();
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stack.down();
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

await main();
