import type { EventscopeConfig } from '@eventscope/config';
import { describe, expect, it } from 'vitest';
import { dashboardKinds } from '../src/dashboards/frame.js';
import { offsetInWords } from '../src/dashboards/regressions.js';
import { generateDashboards } from '../src/generate.js';
import { panelQueries } from '../src/panel-queries.js';
import { configSets } from './fixtures.js';

interface AnyPanel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { refId?: string; datasource?: unknown }[];
  fieldConfig?: { defaults?: { unit?: string } };
  options?: { legend?: { showLegend?: boolean } };
  links?: unknown[];
}

const legacyTypes = ['graph', 'singlestat', 'table-old', 'grafana-piechart-panel', 'grafana-worldmap-panel'];

describe('dashboard structure', () => {
  for (const { name, config } of configSets) {
    describe(name, () => {
      const dashboards = generateDashboards(config);

      it('generates the four dashboards with stable, distinct uids', () => {
        expect(dashboards.map((d) => d.kind)).toEqual(dashboardKinds);
        const uids = dashboards.map((d) => d.dashboard.uid);
        expect(new Set(uids).size).toBe(4);
        for (const uid of uids) expect(uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
        expect(JSON.stringify(generateDashboards(config))).toBe(JSON.stringify(dashboards));
      });

      for (const { kind, dashboard } of dashboards) {
        const panels = (dashboard.panels ?? []) as AnyPanel[];
        const visible = panels.filter((p) => p.type !== 'row');

        it(`${kind}: current schema, no legacy panel types`, () => {
          expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
          for (const panel of panels) expect(legacyTypes).not.toContain(panel.type);
          expect(new Set(visible.map((p) => p.type))).toEqual(
            new Set(visible.map((p) => p.type).filter((t) => ['timeseries', 'stat', 'heatmap'].includes(t))),
          );
        });

        it(`${kind}: every panel has a datasource, a description, a unit and queries with refIds`, () => {
          expect(visible.length).toBeGreaterThan(5);
          for (const panel of visible) {
            expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: `\${datasource}` });
            expect(panel.description?.length ?? 0, panel.title).toBeGreaterThan(40);
            expect(panel.description, panel.title).toMatch(/Bad:/);
            expect(panel.fieldConfig?.defaults?.unit, panel.title).toBeTruthy();
            expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
            for (const target of panel.targets ?? []) {
              expect(target.refId).toMatch(/^[A-Z]$/);
              expect(target.datasource).toEqual(panel.datasource);
            }
            if (panel.type === 'timeseries')
              expect(panel.options?.legend?.showLegend, panel.title).toBe(true);
          }
        });

        it(`${kind}: panel ids are unique`, () => {
          const ids = panels.map((p) => p.id);
          expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
          expect(new Set(ids).size).toBe(ids.length);
        });

        it(`${kind}: has the datasource, service, instance, system, destination and consumer group variables`, () => {
          const names = (dashboard.templating?.list ?? []).map((v) => v.name);
          expect(names).toEqual(['datasource', 'job', 'instance', 'system', 'destination', 'consumer_group']);
          const datasource = dashboard.templating?.list?.[0];
          expect(datasource?.type).toBe('datasource');
          expect(datasource?.query).toBe('prometheus');
        });

        it(`${kind}: shows firing alerts as annotations and links to the other dashboards`, () => {
          const annotations = panelQueries(dashboard, { annotations: true }).filter(
            (q) => q.type === 'annotation',
          );
          expect(annotations.map((a) => a.expr)).toEqual([
            'ALERTS{alertname=~"Eventscope.+", alertstate="firing"}',
          ]);
          expect(dashboard.links?.[0]).toMatchObject({
            type: 'dashboards',
            tags: ['eventscope'],
            includeVars: true,
          });
        });
      }

      it('the overview links each destination series to the drill-down', () => {
        const overview = dashboards.find((d) => d.kind === 'overview')!.dashboard;
        const drill = dashboards.find((d) => d.kind === 'destination')!.dashboard;
        const links = JSON.stringify(overview.panels).match(/\/d\/[^?"]+\?[^"]+/g) ?? [];
        expect(links.length).toBeGreaterThan(0);
        for (const link of links) {
          expect(link.startsWith(`/d/${drill.uid}?`)).toBe(true);
          expect(link).toContain(`var-destination=\${__field.labels.messaging_destination_name}`);
        }
        const destination = drill.templating?.list?.find((v) => v.name === 'destination');
        expect(destination?.multi).toBe(false);
      });
    });
  }

  it('shows a burn rate and an error budget per configured SLO; the defaults have three, none when there are none', () => {
    const titles = (config: EventscopeConfig) =>
      (generateDashboards(config)[0]!.dashboard.panels ?? []).map((p) => p.title ?? '');
    expect(titles({}).filter((t) => /^Burn rate/.test(t))).toEqual([
      'Burn rate: availability 99.9 %',
      'Burn rate: latency ≤ 250 ms for 99 %',
      'Burn rate: freshness: age ≤ 5 s for 99 %',
    ]);
    expect(titles({ slos: [] }).some((t) => /burn rate|budget|objectives/i.test(t))).toBe(false);
    const own = titles({
      slos: [
        { kind: 'errors', objective: 0.9995, service: 'billing' },
        { kind: 'latency', objective: 0.95, threshold: 1 },
      ],
      services: [{ name: 'billing' }],
    });
    expect(own.filter((t) => /^(Burn rate|Error budget left)/.test(t))).toEqual([
      'Burn rate: availability 99.95 % of billing',
      'Error budget left: availability 99.95 % of billing',
      'Burn rate: latency ≤ 1 s for 95 %',
      'Error budget left: latency ≤ 1 s for 95 %',
    ]);
  });

  it('SLO panels read the objective, its scope, the paging windows and the SLO window', () => {
    const [overview] = generateDashboards({
      slos: [
        { kind: 'freshness', objective: 0.98, threshold: 10, service: 'billing', destination: 'orders' },
      ],
      services: [{ name: 'billing', destinations: ['orders'] }],
      sloWindow: '28d',
    });
    const queries = panelQueries(overview!.dashboard).filter((q) => /freshness/.test(q.title));
    expect(queries.map((q) => q.legend ?? '')).toEqual(['1h', '6h', '']);
    for (const { expr } of queries) {
      expect(expr).toContain('le=~"10|10[.]0"');
      expect(expr).toContain('job="billing"');
      expect(expr).toContain('messaging_destination_name="orders"');
      expect(expr).toMatch(/\) \/ 0\.02\)?$/);
    }
    expect(queries[2]!.expr).toContain('[28d]');
  });

  it('rejects a config that would produce broken queries, naming each field and what to fix', () => {
    const problems = (config: unknown) => {
      try {
        generateDashboards(config as EventscopeConfig);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(problems({ slos: [{ kind: 'latency', objective: 0.99, threshold: 0.3 }] })).toMatch(
      /slos\[0\]\.threshold: .*bucket/,
    );
    expect(problems({ slos: [{ kind: 'errors', objective: 99.9 }] })).toMatch(/slos\[0\]\.objective/);
    expect(problems({ selectors: { 'bad-label': 'x' } })).toMatch(/selectors\.bad-label/);
    expect(problems({ selectors: { namespace: '=~prod' } })).toMatch(/selectors\.namespace/);
    expect(problems({ dashboards: { uidPrefix: 'has spaces' } })).toMatch(/dashboards\.uidPrefix/);
  });

  it('regression panels compare with the configured baselines, named in words', () => {
    const exprsOf = (config: EventscopeConfig) => panelQueries(generateDashboards(config)[2]!.dashboard);
    const defaults = exprsOf({});
    expect(defaults.filter((q) => q.expr.includes('offset 1d')).length).toBeGreaterThan(8);
    expect(defaults.filter((q) => q.expr.includes('offset 1w')).length).toBeGreaterThan(8);
    const own = exprsOf({ baselines: ['2h', '1m'] });
    expect(own.some((q) => /offset 1[dw]/.test(q.expr))).toBe(false);
    expect(new Set(own.map((q) => q.title))).toContain(
      'p99 processing latency: now vs. 2 hours and 1 minute ago',
    );
    expect(new Set(own.map((q) => q.title))).toContain('% worse vs. 2 hours ago');
    expect(new Set(own.map((q) => q.title))).toContain('% worse vs. 1 minute ago');
    expect(new Set(own.map((q) => q.legend))).toEqual(
      new Set(['now', '2 hours ago', '1 minute ago', undefined]),
    );
    // The "% worse" stats compare windows no longer than the shortest baseline.
    expect(own.filter((q) => q.title.startsWith('% worse')).every((q) => !q.expr.includes('[1h]'))).toBe(
      true,
    );
  });

  it('names baselines in words', () => {
    expect(['1d', '1w', '2h', '1m', '1h30m'].map(offsetInWords)).toEqual([
      '1 day',
      '1 week',
      '2 hours',
      '1 minute',
      '1 hour 30 minutes',
    ]);
  });
});
