import type { ResolvedConfig } from '@eventscope/config';
import type { Queries } from '@eventscope/config/promql';
import { PanelFactory } from '../panels.js';
import { dashboardQueries } from '../queries.js';

/** What the builders of one dashboard read. */
export interface DashboardContext {
  readonly config: ResolvedConfig;
  /** Consumer-side queries: every variable whose label a signal carries filters it. */
  readonly q: Queries;
  /** Producer-side queries: the same without the consumer group, which producers never record. */
  readonly producer: Queries;
  /** Hands out this dashboard's panel ids. */
  readonly panels: PanelFactory;
}

export function dashboardContext(config: ResolvedConfig): DashboardContext {
  return {
    config,
    q: dashboardQueries(config, 'consumer'),
    producer: dashboardQueries(config, 'producer'),
    panels: new PanelFactory(),
  };
}
