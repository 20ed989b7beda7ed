import { type EventscopeConfig, panelSteps, resolveConfig } from '@eventscope/config';
import type { RangeSeries, TimeRange } from '@eventscope/config/prometheus-client';
import { describe, expect, it } from 'vitest';
import { budgetLeftSteps } from '../src/dashboards/thresholds.js';
import { cssColor, renderPreview, stepColor } from '../src/preview/render.js';
import type { VariableValues } from '../src/variable-values.js';

/**
 * The preview draws canned query results here (every query answers one series holding `value`),
 * so a stat's colour can be checked against its thresholds at chosen values. The end-to-end test
 * draws the same code from a real Prometheus.
 */
const END = 1_800_000_000;

async function preview(
  value: number,
  options: {
    config?: EventscopeConfig;
    variables?: VariableValues;
    dashboards?: ('runtime' | 'destination')[];
  } = {},
): Promise<string> {
  const client = {
    queryRange: async (_expr: string, range: TimeRange): Promise<RangeSeries[]> => [
      {
        metric: {},
        points: [
          [range.start, value],
          [range.end, value],
        ],
      },
    ],
  };
  return renderPreview({
    prometheusUrl: 'http://canned.invalid',
    client,
    config: options.config ?? {},
    range: { start: END - 600, end: END },
    dashboards: options.dashboards ?? ['runtime'],
    ...(options.variables ? { variables: options.variables } : {}),
  });
}

/** The drawn value of a stat panel and the colour it is drawn in. */
function stat(html: string, title: string): { value: number; color: string; css: string } {
  const panel = new RegExp(
    `<section class="panel"[^>]*data-type="stat"[^>]*><h4>${title}</h4>.*?<p class="stat" data-value="([^"]+)" data-color="([^"]+)" style="color:([^"]+)">`,
  ).exec(html);
  if (!panel) throw new Error(`no coloured stat "${title}" in the preview`);
  return { value: Number(panel[1]), color: panel[2]!, css: panel[3]! };
}

describe('preview: a stat is drawn in the colour of the highest threshold step it reaches', () => {
  // "Time in GC pauses": orange from 5 %, red from the GC alert's threshold (10 % by default).
  const steps = panelSteps('timeInGc', resolveConfig({}).thresholds);
  const orange = steps.find((s) => s.color === 'orange')!.value;
  const red = steps.find((s) => s.color === 'red')!.value;

  it.each([
    ['below orange', orange / 2, 'green'],
    ['between orange and red', (orange + red) / 2, 'orange'],
    ['at the alert threshold', red, 'red'],
    ['above red', red * 1.5, 'red'],
  ])('%s: %s is %s', async (_case, value, expected) => {
    const drawn = stat(await preview(value), 'Time in GC pauses');
    expect(drawn.value).toBe(value);
    expect(drawn.color).toBe(expected);
    expect(drawn.css).toBe(cssColor(expected));
  });

  it("follows the config's alert threshold, as the alert does", async () => {
    // With the GC alert at 20 %, 15 % is a warning (orange), no longer red.
    const config: EventscopeConfig = { thresholds: { gcTimeShareRatio: 0.2 } };
    expect(stat(await preview(0.15), 'Time in GC pauses').color).toBe('red');
    expect(stat(await preview(0.15, { config }), 'Time in GC pauses').color).toBe('orange');
    expect(stat(await preview(0.25, { config }), 'Time in GC pauses').color).toBe('red');
  });

  it('reads the steps whatever their base colour (error budget left: red below orange below green)', () => {
    const steps = [{ value: null, color: 'red' }, ...budgetLeftSteps];
    expect(stepColor(0.1, steps)).toBe('red');
    expect(stepColor(0.3, steps)).toBe('orange');
    expect(stepColor(0.9, steps)).toBe('green');
  });
});

describe('preview headings read as text', () => {
  const headings = (html: string) => [...html.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]);

  it('names "all destinations" when the destination variable is All, never `.*`', async () => {
    const html = await preview(1, { dashboards: ['destination'] });
    expect(headings(html)[0]).toBe('All destinations at a glance');
    for (const heading of headings(html)) expect(heading).not.toMatch(/\.\*|\$/);
  });

  it('names the destination chosen, as written (its regex escapes undone)', async () => {
    const html = await preview(1, {
      dashboards: ['destination'],
      variables: { destination: 'orders\\.created' },
    });
    expect(headings(html)[0]).toBe('orders.created at a glance');
  });
});
