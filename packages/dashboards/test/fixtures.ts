import { type NamingFlavor, namingFlavors } from '@eventscope/catalog';
import type { EventscopeConfig } from '@eventscope/config';

/**
 * Configurations every static test runs over: both flavors with the defaults (which include SLOs),
 * and with custom SLOs, selectors (a plain value and a regular expression), dashboard settings
 * and a shorter baseline.
 */
export const configSets: { name: string; config: EventscopeConfig }[] = namingFlavors.flatMap(
  (flavor: NamingFlavor) => [
    { name: `${flavor}`, config: { flavor } },
    {
      name: `${flavor} with custom SLOs and selectors`,
      config: {
        flavor,
        selectors: { namespace: 'shop', cluster: '=~"prod-.*"' },
        slos: [
          { kind: 'errors', objective: 0.999 },
          { kind: 'latency', objective: 0.99, threshold: 0.1, destination: 'orders' },
        ],
        services: [{ name: 'billing', destinations: ['orders'] }],
        sloWindow: '28d',
        baselines: ['2h', '1w'],
        dashboards: { datasourceUid: 'prom-main' },
      },
    },
  ],
);
