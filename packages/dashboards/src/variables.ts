import type { SignalKey } from '@eventscope/catalog';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { ResolvedOptions } from './options.js';
import { DATASOURCE_VARIABLE, datasourceRef } from './panels.js';
import { type FilterVariable, type PromQL, variableLabels } from './promql.js';

const labels: Record<FilterVariable, string> = {
  job: 'Service (job)',
  instance: 'Instance',
  system: 'Messaging system',
  destination: 'Destination',
  consumer_group: 'Consumer group',
};

const descriptions: Record<FilterVariable, string> = {
  job: 'Prometheus job of the instrumented service.',
  instance: 'Scrape target (host:port) of one process.',
  system: 'messaging.system: nats, rabbitmq, redis, mqtt, kafka, inprocess …',
  destination: 'messaging.destination.name: the topic, subject, queue or stream.',
  consumer_group: 'messaging.consumer.group.name (empty for consumers without one).',
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
 * (job and instance: on `anchor`, a histogram every service of this dashboard exposes).
 */
export function dashboardVariables(
  q: PromQL,
  options: ResolvedOptions,
  anchor: SignalKey,
  choice: Partial<Record<FilterVariable, VariableChoice>> = {},
): cog.Builder<VariableModel>[] {
  const datasource = new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: options.datasourceUid, value: options.datasourceUid });
  const filters = (Object.keys(variableLabels) as FilterVariable[]).map((variable) => {
    const label = variableLabels[variable];
    const matchers = [
      ...Object.entries(options.selectors).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
      ...parents[variable].map((parent) => `${variableLabels[parent]}=~"$${parent}"`),
    ];
    // Runtime-only services have no handler histogram; their job and instance come from the anchor.
    const source: SignalKey = variable === 'job' || variable === 'instance' ? anchor : 'processDuration';
    const selector = matchers.length ? `{${matchers.join(', ')}}` : '';
    const query = `label_values(${q.name(source, 'count')}${selector}, ${label})`;
    const multi = choice[variable]?.multi ?? true;
    const builder = new QueryVariableBuilder(variable)
      .label(labels[variable])
      .description(descriptions[variable])
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
