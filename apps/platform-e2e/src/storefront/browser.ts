import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@ordermesh/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); Playwright never downloads a browser here. */
export const CHROMIUM = process.env['E2E_CHROMIUM'] ?? '/usr/bin/chromium';
export const RESULTS = path.join(REPO_ROOT, 'results', 'storefront');

/**
 * Headless, and quiet on the network: without the background-networking flags Chromium keeps
 * calling home (component updates, sync, QUIC probes) into a network that is not there.
 * Playwright gives every launch a fresh temporary --user-data-dir of its own.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A person's browser: its own cookies, a laptop-sized window unless told otherwise. */
export function newPerson(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<BrowserContext> {
  // bypassCSP: the pages' strict CSP (scripts from 'self' only) would refuse the injected axe-core.
  return browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC', bypassCSP: true });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2 A/AA rules on the page as it is; the serious and critical findings. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  // Runs in the page (a string: this project's TypeScript has no DOM types).
  const violations = await page.evaluate(
    `axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
       .then((result) => result.violations)`,
  );
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}
