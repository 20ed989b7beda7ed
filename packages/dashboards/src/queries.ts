import type { SignalKey } from '@eventscope/catalog';
import type { ResolvedConfig } from '@eventscope/config';
import { label, Queries } from '@eventscope/config/promql';

/**
 * The dashboards' scope in the shared query vocabulary: every panel query is built by a `Queries`
 * whose filters add the Grafana variables, each only to the signals that carry its label.
 */

/** The filter variables, in the order Grafana shows them. */
export const filterVariables = ['job', 'instance', 'system', 'destination', 'consumer_group'] as const;
export type FilterVariable = (typeof filterVariables)[number];

/** The label a variable filters on; the service variable (`job`) filters on the configured service label. */
export function variableLabel(config: ResolvedConfig, variable: FilterVariable): string {
  switch (variable) {
    case 'job':
      return config.serviceLabel;
    case 'instance':
      return label.instance;
    case 'system':
      return label.system;
    case 'destination':
      return label.destination;
    case 'consumer_group':
      return label.consumerGroup;
  }
}

/** The rate window Grafana picks from the scrape interval and the panel's step. */
export const RATE_INTERVAL = '$__rate_interval';

/**
 * Which side of a destination a query reads. Producers record their series without a consumer
 * group (sent messages, and send durations on `clientOperationDuration`, whose catalog entry
 * declares the group for the receive and settle calls consumers make). A producer-side query
 * therefore never filters on the consumer group: choosing a group would empty it.
 */
export type PipelineSide = 'consumer' | 'producer';

const sideVariables: Record<PipelineSide, readonly FilterVariable[]> = {
  consumer: filterVariables,
  producer: filterVariables.filter((variable) => variable !== 'consumer_group'),
};

/** `label=~"$variable"` for each variable of this side whose label the signal carries. */
export function variableFilters(
  config: ResolvedConfig,
  side: PipelineSide,
): (signal: SignalKey) => readonly string[] {
  const plain = new Queries(config);
  const variables = sideVariables[side].map((variable) => ({
    variable,
    label: variableLabel(config, variable),
  }));
  return (signal) =>
    variables
      .filter(({ label }) => plain.carries(signal, label))
      .map(({ variable, label }) => `${label}=~"$${variable}"`);
}

/** The queries of one side of the dashboards: configured selectors, then the variables. */
export function dashboardQueries(config: ResolvedConfig, side: PipelineSide = 'consumer'): Queries {
  return new Queries(config, { filters: variableFilters(config, side) });
}
