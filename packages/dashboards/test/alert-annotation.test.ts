import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventscopeConfig } from '@eventscope/config';
import { promtoolBinary, tempDir } from '@eventscope/testkit';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateDashboards } from '../src/generate.js';
import { panelQueries } from '../src/panel-queries.js';

/**
 * The dashboards' "Firing alerts" annotation shows eventscope's alerts only: a Prometheus shared
 * with other teams holds their alerts in the same ALERTS series, and a configured selector on the
 * service label narrows it to the configured services.
 */

const promtool = promtoolBinary();

function annotationExprs(config: EventscopeConfig): string[] {
  const exprs = generateDashboards(config).flatMap(({ dashboard }) =>
    panelQueries(dashboard, { annotations: true })
      .filter((q) => q.type === 'annotation')
      .map((q) => q.expr),
  );
  expect(exprs.length).toBeGreaterThan(0);
  return [...new Set(exprs)];
}

/** Alerts a shared Prometheus fires: eventscope's for two services, and another team's. */
const rules = {
  groups: [
    {
      name: 'shared',
      rules: [
        {
          alert: 'EventscopeTargetDown',
          expr: 'up{job=~"billing|shipping"} == 0',
          labels: { severity: 'page' },
        },
        { alert: 'NodeDown', expr: 'up{job="node"} == 0', labels: { severity: 'page' } },
        { alert: 'BillingDatabaseDown', expr: 'db_up{job="billing"} == 0', labels: { severity: 'page' } },
      ],
    },
  ],
};

const input = [
  { series: 'up{job="billing", instance="10.0.0.1:9464"}', values: '0x5' },
  { series: 'up{job="shipping", instance="10.0.0.2:9464"}', values: '0x5' },
  { series: 'up{job="node", instance="10.0.0.9:9100"}', values: '0x5' },
  { series: 'db_up{job="billing", instance="10.0.0.5:9187"}', values: '0x5' },
];

const firing = (job: string, instance: string) => ({
  labels: `ALERTS{alertname="EventscopeTargetDown", alertstate="firing", severity="page", job="${job}", instance="${instance}"}`,
  value: 1,
});

/** Evaluates `expr` with promtool where the rules above fire; passes when it returns exactly `expected`. */
async function evaluate(expr: string, expected: ReturnType<typeof firing>[]) {
  const dir = tempDir('eventscope-annotation-');
  try {
    writeFileSync(join(dir.path, 'rules.yml'), stringify(rules));
    const test = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: input,
          promql_expr_test: [{ expr, eval_time: '3m', exp_samples: expected }],
        },
      ],
    };
    writeFileSync(join(dir.path, 'test.yml'), stringify(test));
    return await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(promtool!, ['test', 'rules', 'test.yml'], { cwd: dir.path }, (error, stdout, stderr) => {
        resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    dir.remove();
  }
}

describe('the firing-alerts annotation', () => {
  it('selects eventscope alerts by name, plus the selector on the service label', () => {
    expect(annotationExprs({})).toEqual(['ALERTS{alertname=~"Eventscope.+", alertstate="firing"}']);
    // The rules aggregate namespace away, so a matcher on it would hide every alert.
    expect(annotationExprs({ selectors: { job: 'billing', namespace: 'shop' } })).toEqual([
      'ALERTS{alertname=~"Eventscope.+", alertstate="firing", job="billing"}',
    ]);
    expect(
      annotationExprs({
        serviceLabel: 'app',
        extraTargetLabels: ['app'],
        selectors: { app: '=~"bill.*"' },
      }),
    ).toEqual(['ALERTS{alertname=~"Eventscope.+", alertstate="firing", app=~"bill.*"}']);
  });

  describe.skipIf(!promtool)('in a Prometheus shared with other teams (promtool)', () => {
    it("shows eventscope's alerts, not another team's", async () => {
      const [expr] = annotationExprs({});
      const result = await evaluate(expr!, [
        firing('billing', '10.0.0.1:9464'),
        firing('shipping', '10.0.0.2:9464'),
      ]);
      expect(result.code, result.output).toBe(0);
    });

    it('shows only the selected service when a selector names it', async () => {
      const [expr] = annotationExprs({ selectors: { job: 'billing' } });
      const result = await evaluate(expr!, [firing('billing', '10.0.0.1:9464')]);
      expect(result.code, result.output).toBe(0);
    });
  });
});
