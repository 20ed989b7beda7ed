import { describe, expect, it } from 'vitest';
import { dashboardKinds } from '../src/dashboards/frame.js';
import { generateDashboards } from '../src/generate.js';
import { panelQueries } from '../src/panel-queries.js';
import { optionSets } from './fixtures.js';

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
  for (const { name, options } of optionSets) {
    describe(name, () => {
      const dashboards = generateDashboards(options);

      it('generates the four dashboards with stable, distinct uids', () => {
        expect(dashboards.map((d) => d.kind)).toEqual(dashboardKinds);
        const uids = dashboards.map((d) => d.dashboard.uid);
        expect(new Set(uids).size).toBe(4);
        for (const uid of uids) expect(uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
        expect(JSON.stringify(generateDashboards(options))).toBe(JSON.stringify(dashboards));
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
          expect(annotations.map((a) => a.expr)).toEqual(['ALERTS{alertstate="firing"}']);
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

  it('shows SLO burn rate and error budget only when SLOs are configured', () => {
    const titles = (o: Parameters<typeof generateDashboards>[0]) =>
      (generateDashboards(o)[0]!.dashboard.panels ?? []).map((p) => p.title ?? '');
    expect(titles({}).some((t) => /burn rate|budget/i.test(t))).toBe(false);
    const withSlo = titles({
      slo: { availability: 0.999, latency: { thresholdSeconds: 0.1, objective: 0.99 } },
    });
    expect(withSlo.filter((t) => /^Burn rate/.test(t))).toHaveLength(2);
    expect(withSlo.filter((t) => /^Error budget left/.test(t))).toHaveLength(2);
  });

  it('rejects options that would produce broken queries, saying what to fix', () => {
    expect(() =>
      generateDashboards({ slo: { latency: { thresholdSeconds: 0.3, objective: 0.99 } } }),
    ).toThrow(/bucket bound/);
    expect(() => generateDashboards({ slo: { availability: 99.9 } })).toThrow(/between 0 and 1/);
    expect(() => generateDashboards({ selectors: { 'bad-label': 'x' } })).toThrow(/label name/);
    expect(() => generateDashboards({ uidPrefix: 'has spaces' })).toThrow(/uidPrefix/);
  });

  it('regression panels compare with 1 day and 1 week ago', () => {
    const regressions = generateDashboards()[2]!.dashboard;
    const exprs = panelQueries(regressions).map((q) => q.expr);
    expect(exprs.filter((e) => e.includes('offset 1d')).length).toBeGreaterThan(8);
    expect(exprs.filter((e) => e.includes('offset 1w')).length).toBeGreaterThan(8);
  });
});
