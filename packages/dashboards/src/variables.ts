import type { SignalKey } from '@eventscope/catalog';
import type { ResolvedConfig } from '@eventscope/config';
import { Queries } from '@eventscope/config/promql';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE_VARIABLE, datasourceRef } from './panels.js';
import { type FilterVariable, filterVariables, variableLabel } from './queries.js';

const titles: Record<FilterVariable, (config: ResolvedConfig) => string> = {
  job: (config) => `Service (${config.serviceLabel})`,
  instance: () => 'Instance',
  system: () => 'Messaging system',
  destination: () => 'Destination',
  consumer_group: () => 'Consumer group',
};

const descriptions: Record<FilterVariable, (config: ResolvedConfig) => string> = {
  job: (config) =>
    config.serviceLabel === 'job'
      ? 'Prometheus job of the instrumented service.'
      : `${config.serviceLabel}: the label that names the instrumented service.`,
  instance: () => 'Scrape target (host:port) of one process.',
  system: () => 'messaging.system: nats, rabbitmq, redis, mqtt, kafka, inprocess …',
  destination: () => 'messaging.destination.name: the topic, subject, queue or stream.',
  consumer_group: () => 'messaging.consumer.group.name (empty for consumers without one).',
};

/** Which variables each one depends on, so narrowing the service narrows the destinations. */
const parents: Record<FilterVariable, readonly FilterVariable[]> = {
  job: [],
  instance: ['job'],
  system: ['job', 'instance'],
  destination: ['job', 'instance', 'system'],
  consumer_group: ['job', 'instance', 'system', 'destination'],
};

export interface VariableChoice {
  /** Allow several values and an "All" option (overview); single value for the drill-down. */
  multi: boolean;
}

/**
 * The dashboard's variables: the Prometheus datasource, then service, instance, messaging system,
 * destination and consumer group, each listing the values seen on the processing-time histogram
 * (service and instance: on `anchor`, a histogram every service of this dashboard exposes), within
 * the configured selectors.
 */
export function dashboardVariables(
  config: ResolvedConfig,
  anchor: SignalKey,
  choice: Partial<Record<FilterVariable, VariableChoice>> = {},
): cog.Builder<VariableModel>[] {
  const { datasourceUid } = config.dashboards;
  const datasource = new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: datasourceUid, value: datasourceUid });
  const q = new Queries(config);
  const filters = filterVariables.map((variable) => {
    const narrowedBy = parents[variable].map((parent) => `${variableLabel(config, parent)}=~"$${parent}"`);
    // Runtime-only services have no handler histogram; their service and instance come from the anchor.
    const source: SignalKey = variable === 'job' || variable === 'instance' ? anchor : 'processDuration';
    const query = `label_values(${q.select(source, 'count', narrowedBy)}, ${variableLabel(config, variable)})`;
    const multi = choice[variable]?.multi ?? true;
    const builder = new QueryVariableBuilder(variable)
      .label(titles[variable](config))
      .description(descriptions[variable](config))
      .datasource(datasourceRef)
      .query(query)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(multi)
      .includeAll(multi);
    if (multi) {
      // ".*" rather than Grafana's list of seen values: series with the label unset still match.
      builder.allValue('.*').current({ selected: true, text: ['All'], value: ['$__all'] });
    }
    return builder;
  });
  return [datasource, ...filters];
}
