/**
 * The REST docs page in a real browser (Debian's Chromium, driven by playwright-core) against
 * the real service stack with Digest authentication on: the page loads without credentials,
 * its testing forms answer the server's Digest challenge through the browser, and a
 * distributesync sent from the form publishes the element byte for byte. `.ci/run` installs
 * Chromium; without /usr/bin/chromium this file is skipped.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../../src/opencast/element-xml.js';
import { startTestStack, type TestStack } from '../../helpers/service.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`docs page browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

const USER = 'opencast_system_account';
const PASSWORD = 'CHANGE_ME';
const MP = 'docs-page-mp';
const video = randomBytes(256 * 1024 + 7);

let stack: TestStack | undefined;
let browser: Browser | undefined;

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

function mediapackage(): string {
  return (
    `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="${MP}"><media>` +
    '<track id="track-1" type="presenter/delivery"><mimetype>video/mp4</mimetype>' +
    `<url>${live().sources.baseUrl}video.mp4</url></track></media></mediapackage>`
  );
}

/**
 * Runs `use` on a page of a fresh browser context (own profile state) that answers Digest
 * challenges with `password`, then checks that the page logged no error: a refused inline
 * script or style (CSP) or a script error would show up there.
 */
async function withPage(password: string, use: (page: Page) => Promise<void>): Promise<void> {
  if (browser === undefined) throw new Error('browser did not start');
  const context = await browser.newContext({ httpCredentials: { username: USER, password } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    // (An answer with an error status is logged too; that is the page working.)
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && !text.startsWith('Failed to load resource')) {
        errors.push(text);
      }
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await use(page);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}

/** The distribute form's fields for the test's mediapackage. */
function fields(elementId: string): Record<string, string> {
  return { channelId: 'engage-player', mediapackage: mediapackage(), elementId };
}

/**
 * Basic accessibility: every form control has exactly one non-empty label tied to it by
 * id, every button is named, and ids are unique (labels and anchors rely on them).
 */
async function expectLabelled(page: Page): Promise<void> {
  const controls = page.locator('input, textarea, select');
  const count = await controls.count();
  expect(count).toBeGreaterThan(10);
  for (let i = 0; i < count; i++) {
    const id = (await controls.nth(i).getAttribute('id')) ?? '';
    const label = page.locator(`label[for="${id}"]`);
    expect(await label.count(), `label of #${id}`).toBe(1);
    expect((await label.textContent())?.trim(), `label of #${id}`).not.toBe('');
  }
  const buttons = await page.locator('button').count();
  expect(await page.getByRole('button', { name: /\S/, includeHidden: true }).count()).toBe(buttons);
  // Start tags only: text (a textarea's XML) is serialized with its `<` escaped.
  const ids = [...(await page.content()).matchAll(/<[a-z][^<>]*?\sid="([^"]*)"/g)].map((m) => m[1]);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
}

/** Opens an operation's testing form, fills it, submits it and waits for the answer line. */
async function submit(
  section: Locator,
  values: Record<string, string>,
): Promise<{ status: string; headers: string; body: string }> {
  const details = section.locator('details');
  if ((await details.getAttribute('open')) === null) {
    await section.getByText('Testing form', { exact: true }).click();
  }
  for (const [name, value] of Object.entries(values)) {
    // By accessible name, which comes from the field's label: "channelId (form field, required)".
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await section.getByRole('textbox', { name: new RegExp(`^${escaped} \\(`) }).fill(value);
  }
  await section.getByRole('button', { name: 'Submit' }).click();
  const status = section
    .getByRole('status')
    .filter({ hasText: /^(HTTP \d{3}|The request failed)/ });
  await status.waitFor({ timeout: 25_000 });
  return {
    status: (await status.textContent()) ?? '',
    headers: (await section.getByLabel('Answer headers').textContent()) ?? '',
    body: (await section.getByLabel('Answer body').textContent()) ?? '',
  };
}

beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startTestStack({ AUTH_DIGEST_USER: USER, AUTH_DIGEST_PASSWORD: PASSWORD });
  stack.sources.set('video.mp4', video);
  // launch() gives every run a fresh temporary profile and removes it on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe.skipIf(!hasChromium)('the REST docs page in Chromium', () => {
  it('is reached from /distribution/s3/docs without credentials; every field has a label', async () => {
    // Wrong credentials: the page itself must not need any (a challenge would fail here).
    await withPage('wrong', async (page) => {
      const res = await page.goto(`${live().url}/distribution/s3/docs`);
      expect(res?.status()).toBe(200);
      const url = new URL(page.url());
      expect(url.pathname + url.search).toBe('/docs.html?path=/distribution/s3');
      expect(await page.title()).toContain('/distribution/s3');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
      for (const path of ['', '/retract', '/distributesync', '/retractsync']) {
        await page
          .getByRole('heading', { level: 2, name: `POST /distribution/s3${path}`, exact: true })
          .waitFor();
      }
      await expectLabelled(page);

      // The heartbeat needs no credentials; a HEAD answer has no body.
      const heartbeat = await submit(page.locator('#op-heartbeat'), {});
      expect(heartbeat).toEqual({ status: 'HTTP 200 OK', headers: '', body: '' });
      // The API behind the page still wants them: with wrong ones the form shows the 401.
      const refused = await submit(page.locator('#op-distributeSync'), fields('["track-1"]'));
      expect(refused.status).toMatch(/^HTTP 401/);
      expect(refused.headers).toMatch(/WWW-Authenticate: Digest realm="Opencast"/);
    });
  });

  it('distributesync from its testing form publishes the element; the job form shows it', async () => {
    await withPage(PASSWORD, async (page) => {
      await page.goto(`${live().url}/docs.html?path=/distribution/s3`);
      const answer = await submit(page.locator('#op-distributeSync'), {
        ...fields('["track-1"]'),
        checkAvailability: 'false',
      });
      expect(answer.status).toBe('HTTP 200 OK');
      expect(answer.body.startsWith('<?xml')).toBe(true);
      const [element] = parseElementArray(answer.body);
      expect(element?.id).toBe('track-1');
      const key = `mh_default_org/engage-player/${MP}/track-1/video.mp4`;
      expect(element?.url).toBe(`${live().baseUrl}${key}`);
      const stored = await live().s3.readObject(live().bucket, key);
      expect(stored !== undefined && Buffer.compare(stored, video) === 0).toBe(true);

      // The answer names its job; the jobs form (a path parameter) shows it finished.
      const jobId = /X-Job-Id: (\d+)/.exec(answer.headers)?.[1];
      expect(jobId).toBeDefined();
      await page.goto(`${live().url}/docs.html`);
      const job = await submit(page.locator('#op-getJob'), { id: jobId ?? '' });
      expect(job.status).toBe('HTTP 200 OK');
      expect(job.body).toMatch(/<job\b/);
      expect(job.body).toContain('FINISHED');
    });
  });

  it('shows a refused request as its JSON error', async () => {
    await withPage(PASSWORD, async (page) => {
      await page.goto(`${live().url}/docs.html?path=/distribution/s3`);
      const answer = await submit(page.locator('#op-distribute'), fields('["../escape"]'));
      expect(answer.status).toBe('HTTP 400 Bad Request');
      expect(answer.headers).toContain('Content-Type: application/json');
      const error = (JSON.parse(answer.body) as { error: { code: string } }).error;
      expect(error.code).toBe('INVALID_INPUT');
    });
  });
});
