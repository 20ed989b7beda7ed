import {
  type EventscopeConfig,
  quote,
  type ResolvedConfig,
  resolveConfig,
  selectorMatcher,
} from '@eventscope/config';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { datasourceRef } from '../panels.js';
import { variableLabel } from '../queries.js';

/** The four generated dashboards. */
export type DashboardKind = 'overview' | 'runtime' | 'regressions' | 'destination';
export const dashboardKinds: readonly DashboardKind[] = ['overview', 'runtime', 'regressions', 'destination'];

/** Stable uid of a dashboard: the same on every run, so re-imports replace rather than duplicate. */
export function dashboardUid(config: EventscopeConfig | ResolvedConfig, kind: DashboardKind): string {
  return `${resolveConfig(config).dashboards.uidPrefix}-${kind}`;
}

/** Built-in Prometheus series the dashboards may query besides the catalog's. */
export const ALERTS_SERIES = 'ALERTS';

/** The alerts @eventscope/alerts generates: every name starts with `Eventscope`. */
export const EVENTSCOPE_ALERT_NAMES = 'Eventscope.+';

/**
 * Firing eventscope alerts, and no one else's from the same Prometheus. Of the configured
 * selectors only the one on the service label applies: every alert keeps that label, while the
 * rules aggregate other target labels away (a matcher on them would hide every alert).
 */
export function firingAlertsExpr(config: ResolvedConfig): string {
  const service = config.selectors[config.serviceLabel];
  const matchers = [
    `alertname=~${quote(EVENTSCOPE_ALERT_NAMES)}`,
    'alertstate="firing"',
    ...(service !== undefined ? [selectorMatcher(config.serviceLabel, service)] : []),
  ];
  return `${ALERTS_SERIES}{${matchers.join(', ')}}`;
}

/** Firing alerts as annotations, so a latency spike and the alert it raised line up on every graph. */
export function firingAlertsAnnotation(config: ResolvedConfig): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('Firing alerts')
    .datasource(datasourceRef)
    .enable(true)
    .hide(false)
    .iconColor('red')
    .target(new DataqueryBuilder().refId('Anno').expr(firingAlertsExpr(config)))
    .step('60s')
    .titleFormat('{{alertname}}')
    .textFormat('{{severity}} {{summary}}')
    .tagKeys('alertname,severity');
}

/** A dashboard with the shared parts: uid, tags, time range, refresh, links to its siblings, annotations. */
export function dashboardFrame(
  config: ResolvedConfig,
  kind: DashboardKind,
  title: string,
  description: string,
): DashboardBuilder {
  const options = config.dashboards;
  return new DashboardBuilder(`${options.titlePrefix} / ${title}`)
    .uid(dashboardUid(config, kind))
    .description(description)
    .tags([...options.tags])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: options.timeFrom, to: 'now' })
    .refresh(options.refresh)
    .timezone('browser')
    .link(
      new DashboardLinkBuilder('eventscope dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([options.tags[0] ?? 'eventscope'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .targetBlank(false)
        .icon('external link')
        .tooltip('')
        .url(''),
    )
    .annotation(firingAlertsAnnotation(config));
}

/**
 * A data link from a panel series to the destination drill-down, carrying the current variables,
 * the time range and the series' destination.
 */
export function drillDownLink(config: ResolvedConfig): DashboardLinkBuilder {
  const keep = ['datasource', 'job', 'instance', 'system', 'consumer_group'].map(
    (v) => `\${${v}:queryparam}`,
  );
  const url = `/d/${dashboardUid(config, 'destination')}?${keep.join('&')}&var-destination=\${__field.labels.${variableLabel(config, 'destination')}}&\${__url_time_range}`;
  return new DashboardLinkBuilder('Open destination drill-down')
    .type(DashboardLinkType.Link)
    .url(url)
    .targetBlank(false)
    .asDropdown(false)
    .includeVars(false)
    .keepTime(false)
    .icon('dashboard')
    .tooltip('')
    .tags([]);
}
