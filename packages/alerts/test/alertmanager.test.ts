import type { EventscopeConfig } from '@eventscope/config';
import { amtoolBinary } from '@eventscope/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertDefinitions, generateAlerts, type RouteCase } from '../src/index.js';
import { materialize, run } from './run-tool.js';

/** The generated alertmanager.yml passes amtool, and every generated route case reaches its receiver. */

const amtool = amtoolBinary();
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

const everyChannel = {
  EVENTSCOPE_WEBHOOK_URL: 'http://127.0.0.1:9095/hook',
  EVENTSCOPE_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX',
  EVENTSCOPE_SLACK_CHANNEL: '#billing-alerts',
  EVENTSCOPE_PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEY',
  EVENTSCOPE_EMAIL_TO: 'oncall@example.com',
  EVENTSCOPE_SMTP_SMARTHOST: 'smtp.example.com:587',
};

const setups: [string, EventscopeConfig, Record<string, string>][] = [
  ['defaults, no channels configured', {}, {}],
  ['every channel from the environment', {}, everyChannel],
  [
    'per-service routes and receivers from options',
    {
      services: [{ name: 'billing' }, { name: 'shipping' }],
      alerts: {
        alertmanager: {
          receivers: [
            { name: 'billing-oncall', pagerduty: { routingKey: 'BILLINGKEY' } },
            {
              name: 'shipping-team',
              slack: { apiUrl: 'https://hooks.slack.com/services/T1/B1/Y', channel: '#shipping' },
            },
            { name: 'audit', email: { to: 'audit@example.com' } },
          ],
          routes: [
            { service: 'billing', severity: 'page', receiver: 'billing-oncall' },
            { service: 'shipping', receiver: 'shipping-team' },
            { severity: 'ticket', service: 'billing', receiver: 'audit' },
          ],
        },
      },
    },
    everyChannel,
  ],
];

describe.skipIf(!amtool)('generated Alertmanager configuration', () => {
  for (const [title, config, env] of setups) {
    describe(title, () => {
      const files = generateAlerts(config, env);
      const dir = materialize(files);
      cleanups.push(dir.remove);

      it('amtool check-config passes', async () => {
        const result = await run(amtool!, ['check-config', 'alertmanager.yml'], dir.path);
        expect(result.code, result.output).toBe(0);
        expect(result.output).toMatch(/SUCCESS/);
      });

      it('every severity and service reaches its receiver (amtool config routes test)', async () => {
        const { cases } = parse(files['alertmanager-routes.tests.yml']!) as { cases: RouteCase[] };
        expect(cases.length).toBeGreaterThanOrEqual(3);
        expect(new Set(cases.map((c) => c.receiver))).toEqual(
          new Set(['page', 'ticket', 'default', ...cases.map((c) => c.receiver)]),
        );
        for (const c of cases) {
          const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
          const result = await run(
            amtool!,
            [
              'config',
              'routes',
              'test',
              '--config.file=alertmanager.yml',
              `--verify.receivers=${c.receiver}`,
              ...labels,
            ],
            dir.path,
          );
          expect(result.code, `${labels.join(' ')} → ${c.receiver}: ${result.output}`).toBe(0);
        }
      });
    });
  }

  it('routes pages and tickets as intended, independently of the case generator', () => {
    const am = parse(generateAlerts(setups[2]![1], everyChannel)['alertmanager.yml']!);
    const routes = am.route.routes as { matchers: string[]; receiver: string }[];
    expect(routes[0]).toEqual({ matchers: ['job="billing"', 'severity="page"'], receiver: 'billing-oncall' });
    expect(routes.at(-2)).toEqual({ matchers: ['severity="page"'], receiver: 'page' });
    expect(routes.at(-1)).toEqual({ matchers: ['severity="ticket"'], receiver: 'ticket' });
    // One notification per alert and service, however many destinations fail alike.
    expect(am.route.group_by).toEqual(['alertname', 'job']);
    const receivers = am.receivers as Record<string, unknown>[];
    const page = receivers.find((r) => r.name === 'page')!;
    expect(Object.keys(page).sort()).toEqual([
      'name',
      'pagerduty_configs',
      'slack_configs',
      'webhook_configs',
    ]);
    const ticket = receivers.find((r) => r.name === 'ticket')!;
    expect(Object.keys(ticket)).toContain('email_configs');
    expect(am.inhibit_rules).toEqual([
      {
        source_matchers: ['alertname="EventscopeTargetDown"'],
        target_matchers: ['alertname=~"Eventscope.+"', 'alertname!="EventscopeTargetDown"'],
        equal: ['job'],
      },
      {
        source_matchers: ['alertname="EventscopeMetricsAbsent"'],
        target_matchers: [
          'alertname=~"Eventscope.+"',
          'alertname!="EventscopeMetricsAbsent"',
          'severity="ticket"',
        ],
        equal: ['job'],
      },
      {
        source_matchers: ['severity="page"', 'slo=~".+"'],
        target_matchers: ['severity="ticket"'],
        equal: ['alertname', 'slo', 'job', 'messaging_destination_name'],
      },
    ]);
  });

  it('groups and inhibits per deployment when the config names namespace or cluster', () => {
    const am = (config: EventscopeConfig) => parse(generateAlerts(config)['alertmanager.yml']!);
    // A regex selector and an extra target label: the labels come with the alerts (external labels).
    const deployed = am({ selectors: { namespace: '=~"shop-.*"' }, extraTargetLabels: ['cluster'] });
    expect(deployed.route.group_by).toEqual(['alertname', 'job', 'namespace', 'cluster']);
    expect(deployed.inhibit_rules[0].equal).toEqual(['job', 'namespace', 'cluster']);
    // An equality selector pins one value for every alert of the rule set: nothing to tell apart.
    const pinned = am({ selectors: { namespace: 'shop' } });
    expect(pinned.route.group_by).toEqual(['alertname', 'job']);
    expect(pinned.inhibit_rules[0].equal).toEqual(['job']);
    const byApp = am({ serviceLabel: 'app', extraTargetLabels: ['app'] });
    expect(byApp.route.group_by).toEqual(['alertname', 'app']);
    expect(byApp.inhibit_rules[1].equal).toEqual(['app']);
  });

  it("every generated alert is one the inhibitions' name matcher selects", () => {
    for (const definition of alertDefinitions) expect(definition.name).toMatch(/^Eventscope.+$/);
  });
});
