import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's Chromium, headless, as the page tests drive it (never a browser download; .ci/run installs it). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A phone's browser in China: 390 × 844, touch, zh-CN, Beijing time. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
}

/** Records every script error and console error (a CSP violation, say) of a page; a 4xx answer is expected. */
export function watchErrors(p: Page, into: string[]): void {
  p.on('pageerror', (e) => into.push(`pageerror: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error' && !/status of (4\d\d)/.test(m.text())) {
      into.push(`console: ${m.text()}`);
    }
  });
}

const SHOTS = join('test-results', 'screenshots');

/** A full-page screenshot into test-results/screenshots/<name>.png. */
export function screenshot(p: Page, name: string): Promise<Buffer> {
  mkdirSync(SHOTS, { recursive: true });
  return p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
