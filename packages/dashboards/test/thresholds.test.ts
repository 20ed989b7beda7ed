import {
  alertThresholdOf,
  type EventscopeConfig,
  type PanelQuantity,
  panelQuantities,
  resolveConfig,
} from '@eventscope/config';
import { describe, expect, it } from 'vitest';
import { generateDashboards } from '../src/generate.js';

interface AnyPanel {
  title?: string;
  description?: string;
  fieldConfig?: { defaults?: { thresholds?: { steps?: { value: number | null; color: string }[] } } };
}

/**
 * The panels that show each quantity an alert also judges, by dashboard and title. A quantity
 * added to @eventscope/config with an alert threshold fails the first test until it is listed here
 * (and drawn somewhere).
 */
const panelsShowing: Partial<Record<PanelQuantity, readonly string[]>> = {
  errorRatio: ['overview/Error ratio', 'destination/Error ratio'],
  timeInGc: ['runtime/Time in GC pauses', 'runtime/Share of time in GC pauses'],
  heapUsedOfLimit: ['runtime/Heap used of limit'],
  loopDelayP99: ['runtime/Event-loop delay p99'],
  loopUtilization: ['runtime/Event-loop utilization'],
  backlogWaiting: [
    'overview/Messages waiting by destination',
    'destination/Messages waiting',
    'destination/Messages waiting and unsettled',
  ],
};

const custom: EventscopeConfig = {
  thresholds: {
    errorRatio: 0.02,
    gcTimeShareRatio: 0.2,
    heapLimitRatio: 0.8,
    eventLoopDelaySeconds: 0.3,
    eventLoopUtilizationRatio: 0.95,
    backlogWaitingFloor: 5000,
  },
};

function panelsByName(config: EventscopeConfig): Map<string, AnyPanel> {
  const out = new Map<string, AnyPanel>();
  for (const { kind, dashboard } of generateDashboards(config)) {
    for (const panel of (dashboard.panels ?? []) as AnyPanel[]) out.set(`${kind}/${panel.title}`, panel);
  }
  return out;
}

const redStep = (panel: AnyPanel) =>
  panel.fieldConfig?.defaults?.thresholds?.steps?.find((s) => s.color === 'red')?.value;

describe('panel colours and alert thresholds', () => {
  it('every quantity an alert judges is drawn by a listed panel', () => {
    const judged = panelQuantities.filter((q) => alertThresholdOf(q) !== undefined);
    expect(Object.keys(panelsShowing).sort()).toEqual([...judged].sort());
  });

  for (const [name, config] of [
    ['default thresholds', {}],
    ['custom thresholds', custom],
  ] as const) {
    it(`a panel turns red exactly at its alert's threshold: ${name}`, () => {
      const thresholds = resolveConfig(config).thresholds;
      const panels = panelsByName(config);
      for (const [quantity, titles] of Object.entries(panelsShowing)) {
        const threshold = thresholds[alertThresholdOf(quantity as PanelQuantity)!];
        for (const title of titles) {
          const panel = panels.get(title);
          expect(panel, title).toBeDefined();
          expect(redStep(panel!), `${title} (${quantity})`).toBe(threshold);
        }
      }
    });
  }

  it('the loop-delay and heap panels follow the alerts (100 ms, 90 %), not their old 200 ms and 85 %', () => {
    const panels = panelsByName({});
    expect(redStep(panels.get('runtime/Event-loop delay p99')!)).toBe(0.1);
    expect(redStep(panels.get('runtime/Heap used of limit')!)).toBe(0.9);
  });

  it('descriptions that name a threshold print the configured value', () => {
    const panels = panelsByName({
      ...custom,
      thresholds: { ...custom.thresholds, majorGcPauseSeconds: 0.25 },
    });
    const description = (title: string) => panels.get(title)?.description ?? '';
    expect(description('overview/Error ratio')).toContain('red from 2 %');
    expect(description('destination/Error ratio')).toContain('red from 2 %');
    expect(description('runtime/Time in GC pauses')).toContain('20 % (red');
    expect(description('runtime/Heap used of limit')).toContain('above 80 % (red');
    expect(description('runtime/Event-loop delay p99')).toContain('300 ms (red');
    expect(description('runtime/GC pause p99 by type')).toContain('over 250 ms');
    expect(description('overview/Messages waiting by destination')).toContain('red from 5 k');
  });

  it("lag-in-time panels turn red at the freshness objective's threshold, where the lag alert fires", () => {
    const lagPanels = [
      'overview/Lag in time by destination',
      'destination/Lag in time',
      'destination/Lag in time and event age',
    ];
    const redOf = (config: EventscopeConfig) => {
      const panels = panelsByName(config);
      return lagPanels.map((title) => {
        expect(panels.get(title), title).toBeDefined();
        return redStep(panels.get(title)!);
      });
    };
    expect(redOf({})).toEqual([5, 5, 5]);
    // Several freshness objectives: the strictest threshold.
    const two: EventscopeConfig = {
      services: [{ name: 'billing', destinations: ['orders.created'] }],
      slos: [
        { kind: 'freshness', objective: 0.99, threshold: 30 },
        {
          kind: 'freshness',
          objective: 0.9,
          threshold: 10,
          service: 'billing',
          destination: 'orders.created',
        },
      ],
    };
    expect(redOf(two)).toEqual([10, 10, 10]);
    expect(panelsByName(two).get('destination/Lag in time')?.description).toContain('red from 10 s');
    // No freshness objective, no lag alert: no red step, and no colours named.
    const none = panelsByName({ slos: [{ kind: 'errors', objective: 0.999 }] });
    expect(redStep(none.get('overview/Lag in time by destination')!)).toBeUndefined();
    expect(none.get('destination/Lag in time')?.description).not.toMatch(/red from/);
  });

  it('the consumers panel turns red at none attached', () => {
    const panel = panelsByName({}).get('destination/Consumers attached')!;
    expect(panel.fieldConfig?.defaults?.thresholds?.steps).toEqual([
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
    ]);
  });

  it('burn-rate panels turn orange and red at the paging burn-rate factors', () => {
    const burnSteps = (config: EventscopeConfig) =>
      [...panelsByName(config).entries()]
        .filter(([title]) => title.startsWith('overview/Burn rate'))
        .map(([, panel]) => panel.fieldConfig?.defaults?.thresholds?.steps);
    const defaults = burnSteps({});
    expect(defaults).toHaveLength(3);
    for (const steps of defaults) {
      expect(steps).toEqual([
        { value: null, color: 'green' },
        { value: 6, color: 'orange' },
        { value: 14.4, color: 'red' },
      ]);
    }
    const own = burnSteps({
      alerts: {
        burnRates: [
          { severity: 'page', long: '2h', short: '10m', factor: 10 },
          { severity: 'ticket', long: '3d', short: '6h', factor: 1 },
        ],
      },
    });
    expect(own[0]).toEqual([
      { value: null, color: 'green' },
      { value: 10, color: 'red' },
    ]);
  });
});
