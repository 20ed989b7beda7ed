import { type NamingFlavor, namingFlavors } from '@eventscope/catalog';
import type { DashboardOptions } from '../src/options.js';

/** Option sets every static test runs over: both flavors, with and without SLO panels and selectors. */
export const optionSets: { name: string; options: DashboardOptions }[] = namingFlavors.flatMap(
  (flavor: NamingFlavor) => [
    { name: `${flavor}`, options: { flavor } },
    {
      name: `${flavor} with SLOs and selectors`,
      options: {
        flavor,
        datasourceUid: 'prom-main',
        selectors: { namespace: 'shop' },
        slo: { availability: 0.999, latency: { thresholdSeconds: 0.1, objective: 0.99 }, window: '28d' },
      },
    },
  ],
);

/** The options the golden files and the end-to-end test use. */
export const sloOptions = {
  availability: 0.99,
  latency: { thresholdSeconds: 0.25, objective: 0.95 },
  window: '30d',
} as const;
