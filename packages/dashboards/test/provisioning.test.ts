import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempDir } from '@eventscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardFiles } from '../src/files.js';
import { generateDashboards } from '../src/generate.js';
import { writeDashboards } from '../src/write.js';

describe('writeDashboards', () => {
  const dir = tempDir('eventscope-dashboards-');
  afterAll(() => dir.remove());
  const config = {
    flavor: 'otel',
    dashboards: { datasourceUid: 'prom-main' },
    prometheus: { scrapeInterval: '30s' },
  } as const;
  const written = writeDashboards(dir.path, config, {
    configMap: { namespace: 'monitoring' },
    provisioning: { prometheusUrl: 'http://prometheus.monitoring:9090' },
  });
  const read = (path: string) => readFileSync(join(dir.path, path), 'utf8');

  it('writes dashboards, provisioning files and a ConfigMap', () => {
    expect(written.map((p) => relative(dir.path, p)).sort()).toEqual([
      'dashboards/eventscope-destination.json',
      'dashboards/eventscope-overview.json',
      'dashboards/eventscope-regressions.json',
      'dashboards/eventscope-runtime.json',
      'kubernetes/eventscope-dashboards.yaml',
      'provisioning/dashboards/eventscope.yaml',
      'provisioning/datasources/eventscope.yaml',
    ]);
  });

  it('writes dashboard JSON that reads back to the generated dashboards', () => {
    const generated = generateDashboards(config);
    for (const { fileName, dashboard } of generated) {
      expect(JSON.parse(read(`dashboards/${fileName}`))).toEqual(dashboard);
    }
  });

  it('writes exactly the files dashboardFiles returns', () => {
    const files = dashboardFiles(config, {
      configMap: { namespace: 'monitoring' },
      provisioning: { prometheusUrl: 'http://prometheus.monitoring:9090' },
    });
    expect(Object.keys(files).sort()).toEqual(written.map((p) => relative(dir.path, p)).sort());
    for (const [path, text] of Object.entries(files)) expect(read(path)).toBe(text);
  });

  it('provisions a Prometheus datasource with the uid the dashboards select and the scrape interval', () => {
    const yaml = read('provisioning/datasources/eventscope.yaml');
    expect(yaml).toContain('type: prometheus');
    expect(yaml).toContain('uid: "prom-main"');
    expect(yaml).toContain('timeInterval: 30s');
    expect(yaml).toContain('url: "http://prometheus.monitoring:9090"');
    const overview = JSON.parse(read('dashboards/eventscope-overview.json'));
    expect(overview.templating.list[0].current.value).toBe('prom-main');
  });

  it('provisions a file provider', () => {
    const yaml = read('provisioning/dashboards/eventscope.yaml');
    expect(yaml).toMatch(/^apiVersion: 1\nproviders:\n {2}- name: eventscope\n/);
    expect(yaml).toContain('type: file');
    expect(yaml).toContain('path: "/var/lib/grafana/dashboards/eventscope"');
  });

  it('labels the ConfigMap for the Grafana sidecar and embeds every dashboard verbatim', () => {
    const yaml = read('kubernetes/eventscope-dashboards.yaml');
    expect(yaml).toContain('kind: ConfigMap');
    expect(yaml).toContain('    grafana_dashboard: "1"\n');
    expect(yaml).toContain('  namespace: "monitoring"\n');
    // Each data key is a YAML block scalar indented by four spaces; un-indent and parse it.
    const blocks = yaml.split(/\n {2}(eventscope-[a-z]+\.json): \|-\n/).slice(1);
    const names = blocks.filter((_, i) => i % 2 === 0);
    expect(names).toHaveLength(4);
    for (let i = 0; i < blocks.length; i += 2) {
      const body = blocks[i + 1]!.split('\n')
        .filter((line) => line.startsWith('    '))
        .map((line) => line.slice(4));
      expect(JSON.parse(body.join('\n'))).toEqual(JSON.parse(read(`dashboards/${blocks[i]}`)));
    }
  });
});
