/**
 * What a reviewer sees: the job summary's Mermaid LR chart rendered by the `mermaid` package in
 * headless Chromium (fails on a parse error or an empty drawing; both runs drawn in their explicit,
 * contrasting colours across the plot), and `trainlint plan --chart`'s SVG rendered there too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildReport, reportPlan } from '../src/engine/build-report';
import { lint, runPlanOf } from '../src/engine/lint';
import { RUN_COLORS } from '../src/report/chart';
import { formatMarkdown } from '../src/report/markdown';
import { chromiumMissing, chromiumTest, launchChromium } from './helpers/chromium';
import { runCliCapture } from './helpers/run-cli';

const REPO = path.resolve(__dirname, '..');
const MERMAID = require.resolve('mermaid/dist/mermaid.min.js');
const MEASURE = path.join(__dirname, 'helpers', 'measure-chart.browser.js');
const ctest = chromiumTest();

/** The Mermaid source of the first chart in a Markdown document. */
function mermaidBlock(md: string): string {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(md);
  if (!m) throw new Error('no mermaid block');
  return m[1];
}

async function summaryOfExample(): Promise<string> {
  const { results } = await lint({ root: REPO, paths: ['examples/openclip-a100-to-h100/h100.sh'], config: {} });
  const r = results[0];
  const changes = [{ path: r.file.path, baseLabel: r.reference!.label, base: reportPlan(r.reference!.plan), head: reportPlan(runPlanOf(r)) }];
  return formatMarkdown(buildReport(results), { changes });
}

interface Drawing {
  /** Per line plot: its stroke colour, its bounding box, the number of path commands. */
  lines: Array<{ stroke: string; width: number; height: number; commands: number }>;
  plotWidth: number;
  texts: string[];
}

/** Renders Mermaid source in the page and measures the line plots. Rejects on a parse error. */
async function renderMermaid(page: Page, source: string): Promise<Drawing> {
  return page.evaluate(`window.trainlintRenderMermaid(${JSON.stringify(source)})`) as Promise<Drawing>;
}

/** Loads Mermaid and the measuring helpers into an empty page with a #host element. */
async function preparePage(page: Page): Promise<void> {
  await page.setContent('<!doctype html><html><body><div id="host"></div></body></html>');
  await page.addScriptTag({ path: MERMAID });
  await page.addScriptTag({ path: MEASURE });
}

const toRgb = (hex: string) => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;

describe('LR charts in headless Chromium', () => {
  let context: BrowserContext | undefined;
  let close: (() => Promise<void>) | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!chromiumMissing()) {
      ({ context, close } = await launchChromium());
      page = await context.newPage();
      await preparePage(page);
    }
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  ctest('the job summary chart parses and draws both runs, full width, in blue and orange', async () => {
    const md = await summaryOfExample();
    const drawing = await renderMermaid(page, mermaidBlock(md));
    expect(drawing.lines).toHaveLength(2);
    expect(drawing.lines.map((l) => l.stroke)).toEqual(RUN_COLORS.map(toRgb));
    for (const l of drawing.lines) {
      // Not an empty drawing: each line spans the plot and rises from 0 to the peak.
      expect(l.commands).toBeGreaterThan(40);
      expect(l.width).toBeGreaterThan(drawing.plotWidth * 0.9);
      expect(l.height).toBeGreaterThan(50);
    }
    expect(drawing.texts).toContain('LR schedule: base (blue) vs head (orange)');
    expect(drawing.texts.join(' ')).toContain('samples (millions)');
    // The legend line names both runs above the chart.
    expect(md).toMatch(/\*\*LR schedule\.\*\* blue: base \\\(reference examples\/openclip[^\n]*orange: head/);
  }, 60_000);

  ctest('a chart Mermaid cannot parse fails the render (the check can fail)', async () => {
    await expect(renderMermaid(page, 'xychart-beta\n    line [0, oops, 1]')).rejects.toThrow();
  }, 30_000);

  ctest('plan --chart writes a standalone SVG that Chromium draws with both runs and a legend', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-svg-'));
    try {
      const out = path.join(dir, 'lr.svg');
      const r = await runCliCapture(['plan', 'examples/openclip-a100-to-h100/h100.sh', '--chart', out], REPO);
      expect(r.code).toBe(0);
      await page.setContent(`<!doctype html><html><body>${fs.readFileSync(out, 'utf8')}</body></html>`);
      await page.addScriptTag({ path: MEASURE });
      const runs = (await page.evaluate('window.trainlintMeasureSvg()')) as Array<{ run: string; stroke: string; width: number; height: number }>;
      expect(runs.map((x) => x.run)).toEqual(['base', 'head']);
      expect(runs.map((x) => x.stroke)).toEqual(RUN_COLORS.map(toRgb));
      for (const x of runs) expect(x.width).toBeGreaterThan(500);
      const text = (await page.evaluate('document.body.textContent')) as string;
      expect(text).toContain('warmup to 32M samples');
      expect(text).toContain('warmup to 88M samples');
      await preparePage(page);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
