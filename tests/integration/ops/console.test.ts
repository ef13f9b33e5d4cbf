// The admin console (/console) in a real headless Chromium (Debian's `chromium`,
// driven by playwright-core), against a real gateway process in front of a real
// orm (external `url:` upstream, real Postgres) and one supervised fixture service:
// an admin signs in, stops/starts/restarts a service and sees its state change and
// the 409 reason, follows its logs live (streamed, a restart's lines appear), sees a bad routes.yaml's file:line error appear,
// and a non-admin gets the sign-in screen and no data. Screenshots of each state go
// to tests/artifacts/console/ (gitignored).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fixturePath } from '../../fixtures/processes/configs.ts';
import { uniqueMail } from '../../helpers/isolation.ts';
import type { StartedProcess } from '../../helpers/processes.ts';
import { makeSharedSecrets, startExternalOrm, startGatewayProcess, tokenOf, type GatewayProcess } from './stack.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const ARTIFACTS = 'tests/artifacts/console';
const secrets = makeSharedSecrets();

if (!CHROMIUM) console.warn('console.test.ts SKIPPED: no Chromium binary (/usr/bin/chromium); install it with `apt-get install -y chromium` (.ci/run does)');

// Generous per-test time: a whole-suite run on a small shared machine is slow; nothing waits on a timer.
describe.skipIf(!CHROMIUM)('admin console in headless Chromium', { timeout: 90_000 }, () => {
  let orm: StartedProcess;
  let gateway: GatewayProcess;
  let browser: Browser;
  let routesYaml = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    orm = await startExternalOrm(secrets, 'ops_console_orm');
    routesYaml = `
upstreams:
  orm_api:
    url: ${orm.url}
    health: { path: /health, critical: true }
  echo:
    process:
      command: [node, ${JSON.stringify(fixturePath('http-service.ts'))}]
      env: { DRAIN_MS: "0" }
      restart: { policy: always, backoff_initial: 50ms, backoff_max: 200ms }
      stop_grace: 3s
      start_timeout: 20s
    health: { path: /health, critical: false }
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
  - { prefix: /api/v1/echo, upstream: echo, rewrite: "", auth: admin }
`;
    gateway = await startGatewayProcess(secrets, routesYaml);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.remove();
    await orm?.stop();
  });

  async function openConsole(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/console`);
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
  const stateOf = (page: Page, service: string) => page.locator(`td.state[data-service="${service}"]`);

  async function signInAsAdmin(page: Page): Promise<void> {
    await page.fill('#mail', secrets.adminMail);
    await page.fill('#password', secrets.adminPassword);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator('#console').waitFor({ state: 'visible' });
  }

  it('serves its static files with a strict CSP, and nothing outside them', async () => {
    const page = await fetch(`${gateway.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(`${gateway.url}/console/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    // Described in the merged OpenAPI document; its asset route is not.
    const paths = Object.keys(((await (await fetch(`${gateway.url}/openapi.json`)).json()) as { paths: object }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/console', '/api/v1/config/routes']));
    expect(paths).not.toContain('/console/{file}');
    for (const path of ['/console/nope.js', '/console/..%2fpackage.json', '/console/%2e%2e%2froutes.ts']) {
      expect((await fetch(`${gateway.url}${path}`)).status, path).toBeGreaterThanOrEqual(400);
    }
  });

  it('sign in, stop/start/restart a service and see its state change, with the 409 reason', async () => {
    const page = await openConsole();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    await shot(page, '01-sign-in');
    await signInAsAdmin(page);
    await expect.poll(() => stateOf(page, 'echo').textContent(), { timeout: 20_000 }).toBe('running');
    await shot(page, '02-services-running');

    await page.click('button[data-action=stop][data-service=echo]');
    await expect.poll(() => stateOf(page, 'echo').textContent(), { timeout: 20_000 }).toBe('stopped');
    await shot(page, '03-service-stopped');

    // Stopping a stopped service: the gateway's 409 reason is shown.
    await page.click('button[data-action=stop][data-service=echo]');
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: 10_000 }).toMatch(/stop echo: 409 .+/);
    await shot(page, '04-conflict-409');

    await page.click('button[data-action=start][data-service=echo]');
    await expect.poll(() => stateOf(page, 'echo').textContent(), { timeout: 20_000 }).toBe('running');
    const restartsBefore = Number(await page.locator('tr', { has: stateOf(page, 'echo') }).locator('td').nth(5).textContent());
    await page.click('button[data-action=restart][data-service=echo]');
    await expect.poll(async () => Number(await page.locator('tr', { has: stateOf(page, 'echo') }).locator('td').nth(5).textContent()), { timeout: 20_000 }).toBeGreaterThan(restartsBefore);
    await expect.poll(() => stateOf(page, 'echo').textContent(), { timeout: 20_000 }).toBe('running');
    await shot(page, '05-service-restarted');
    // The external orm is shown, and cannot be controlled from here.
    await expect.poll(() => page.locator('button[data-action=restart][data-service=orm_api]').isDisabled()).toBe(true);
    await page.close();
  });

  it('live logs of a service: follow mode streams them (Server-Sent Events), and a restart’s new lines appear without polling', async () => {
    const page = await openConsole();
    await signInAsAdmin(page);
    await page.click('nav button[data-tab=logs]');
    // Choosing the service reads its logs once (/logs); follow mode is switched on after that answer.
    await Promise.all([page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/services/echo/logs'), page.selectOption('#log-service', 'echo')]);
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname + new URL(request.url()).search));
    const streamed = page.waitForRequest((request) => new URL(request.url()).pathname === '/api/v1/services/echo/logs/stream');
    await page.check('#log-follow');
    expect((await streamed).headers().authorization).toMatch(/^Bearer /);
    await expect.poll(() => page.locator('#log-mode').textContent(), { timeout: 20_000 }).toBe('live');
    await expect.poll(() => page.locator('#log-lines').textContent(), { timeout: 20_000 }).toMatch(/listening/);
    const listeningLines = async () => ((await page.locator('#log-lines').textContent()) ?? '').match(/ listening$/gm)?.length ?? 0;
    const before = await listeningLines();

    // A restart from outside the page: the new process's lines come over the open stream.
    const admin = await tokenOf(gateway.url, secrets.adminMail, secrets.adminPassword);
    const restarted = await fetch(`${gateway.url}/api/v1/services/echo/restart`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(restarted.status).toBe(200);
    await expect.poll(listeningLines, { timeout: 20_000 }).toBeGreaterThan(before);
    // Streamed, not polled: one stream opened, no /logs read since follow was switched on.
    expect(requests.filter((path) => path.startsWith('/api/v1/services/echo/logs/stream'))).toHaveLength(1);
    expect(requests.filter((path) => path.startsWith('/api/v1/services/echo/logs?'))).toEqual([]);
    expect(await page.locator('#log-mode').textContent()).toBe('live');
    await shot(page, '06-logs');

    // Follow off: the stream is closed (the gateway's subscription count goes back to 0).
    await page.uncheck('#log-follow');
    await expect.poll(() => page.locator('#log-mode').textContent()).toBe('');
    await expect.poll(() => gateway.output.filter((line) => line.includes('"log_subscriptions"')).at(-1), { timeout: 20_000 }).toContain('"log_subscriptions":0');
    await page.close();
  });

  it('health: monitor targets; metrics: requests and 5xx per upstream from /metrics, with rate charts', async () => {
    const page = await openConsole();
    await signInAsAdmin(page);
    await page.click('nav button[data-tab=health]');
    await expect.poll(() => page.locator('#health-targets tbody tr').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await shot(page, '07-health');

    // Traffic the console must count: requests through the echo route, answered by the echo service.
    const admin = await tokenOf(gateway.url, secrets.adminMail, secrets.adminPassword);
    const sent = 7;
    for (let i = 0; i < sent; i += 1) {
      const answer = await fetch(`${gateway.url}/api/v1/echo/console-metrics-${i}`, { headers: { authorization: `Bearer ${admin}` } });
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
    }
    await page.click('nav button[data-tab=metrics]');
    const echoRow = page.locator('#rates tbody tr', { has: page.locator('td[data-upstream="echo"]') });
    // Column 2 is the echo upstream's request total since start (other tests may have added more).
    await expect.poll(async () => Number(await echoRow.locator('td').nth(1).textContent()), { timeout: 20_000 }).toBeGreaterThanOrEqual(sent);
    expect(Number(await echoRow.locator('td').nth(2).textContent())).toBe(0);
    // After a second scrape the rate columns hold numbers and each row has its two charts.
    await expect.poll(() => echoRow.locator('td').nth(3).textContent(), { timeout: 20_000 }).toMatch(/^\d/);
    expect(await echoRow.locator('svg.spark').count()).toBe(2);
    expect(await page.locator('#metrics').textContent()).toMatch(/Health checks run/);
    await shot(page, '08-metrics');
    await page.close();
  });

  it('routes with their auth policy, and a reload error (file:line) appears after a bad routes.yaml', async () => {
    const page = await openConsole();
    await signInAsAdmin(page);
    await page.click('nav button[data-tab=routes]');
    await expect.poll(() => page.locator('#routes tbody').textContent(), { timeout: 20_000 }).toMatch(/\/api\/v1\/echo.*echo.*admin/);
    expect(await page.locator('#routes tbody').textContent()).toMatch(/\/api\/v1\/orm.*orm_api.*user/);
    await shot(page, '09-routes-ok');

    // A route to an upstream that does not exist, on line 17 of the file.
    writeFileSync(gateway.routesFile, `${routesYaml}  - { prefix: /api/v1/ghost, upstream: ghost, auth: user }\n`);
    const badLine = readFileSync(gateway.routesFile, 'utf8').split('\n').findIndex((line) => line.includes('ghost')) + 1;
    await expect.poll(() => page.locator('#reload-errors').textContent(), { timeout: 20_000 }).toContain(`routes.yaml:${badLine}:`);
    expect(await page.locator('#reload-status').textContent()).toMatch(/Refused/);
    // The last good table is still the one shown (and served).
    expect(await page.locator('#routes tbody').textContent()).not.toMatch(/ghost/);
    await shot(page, '10-routes-reload-error');

    writeFileSync(gateway.routesFile, routesYaml);
    await expect.poll(() => page.locator('#reload-status').textContent(), { timeout: 20_000 }).toMatch(/^OK/);
    await page.close();
  });

  it('a non-admin gets the sign-in screen and no data', async () => {
    const admin = await tokenOf(gateway.url, secrets.adminMail, secrets.adminPassword);
    const mail = uniqueMail('opsuser');
    const created = await fetch(`${gateway.url}/api/v1/orm/users`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ mail, password: 'ops-user-password-1', name: 'Ops', lastname: 'User' }) });
    expect(created.status).toBeLessThan(300);
    const userToken = await tokenOf(gateway.url, mail, 'ops-user-password-1');
    // The read the console adds is admin-only, like the services API.
    expect((await fetch(`${gateway.url}/api/v1/config/routes`, { headers: { authorization: `Bearer ${userToken}` } })).status).toBe(403);
    expect((await fetch(`${gateway.url}/api/v1/config/routes`)).status).toBe(401);

    // Signing in through the form as a user.
    const page = await openConsole();
    await page.fill('#mail', mail);
    await page.fill('#password', 'ops-user-password-1');
    await page.click('#sign-in-form button[type=submit]');
    await expect.poll(() => page.locator('#sign-in-error').textContent(), { timeout: 10_000 }).toMatch(/admins only/);
    expect(await page.locator('#console').isVisible()).toBe(false);
    expect(await page.locator('#console tbody tr').count()).toBe(0);
    await shot(page, '11-non-admin-refused');

    // A user's token planted in the tab's storage: the page verifies it and draws nothing.
    await page.evaluate((t) => sessionStorage.setItem('fullon-console-token', t), userToken);
    await page.reload();
    await expect.poll(() => page.locator('#sign-in-error').textContent(), { timeout: 10_000 }).toMatch(/admins only/);
    expect(await page.locator('#console').isVisible()).toBe(false);
    expect(await page.locator('#console tbody tr').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('fullon-console-token'))).toBeNull();
    await page.close();
  });
});
