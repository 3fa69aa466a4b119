/**
 * Headless Chromium (Debian's `chromium` package) driven by playwright-core, for tests that render
 * what people see. A fresh profile per launch and no background traffic: the flags below. When
 * Chromium is missing the tests register as visibly skipped, unless TRAINLINT_REQUIRE_CHROMIUM=1
 * (set by .ci/run, which installs it) makes them fail instead.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.TRAINLINT_CHROMIUM || '/usr/bin/chromium';

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

/** Why the Chromium tests cannot run here, or undefined when they can (or must). */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.TRAINLINT_REQUIRE_CHROMIUM === '1') return undefined;
  return `${CHROMIUM} not found; install it with \`apt-get install -y chromium\` (.ci/run does)`;
}

/** `test`, or a skipped test whose name says why and how to run it. */
export function chromiumTest(): (name: string, fn: jest.ProvidesCallback, timeout?: number) => void {
  const why = chromiumMissing();
  if (!why) return (name, fn, timeout) => test(name, fn, timeout);
  process.stderr.write(`[trainlint tests] Chromium tests skipped: ${why}\n`);
  return (name, fn, timeout) => test.skip(`${name} [SKIPPED: ${why}]`, fn, timeout);
}

/** A browser context on a fresh user-data dir, removed by `close()`. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'trainlint-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    offline: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
