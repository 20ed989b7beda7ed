import { durationBuckets, type NamingFlavor } from '@eventscope/catalog';

/**
 * Service-level objectives the overview shows burn rate and error budget for. Omit to leave the
 * SLO panels out (they only mean something once someone has agreed on a target).
 */
export interface SloOptions {
  /** Share of events that must be processed without error, e.g. 0.999. */
  availability?: number;
  /**
   * Share of events that must finish within `thresholdSeconds`, e.g. `{ thresholdSeconds: 0.1, objective: 0.99 }`.
   * The threshold must be one of the processing-time bucket bounds, since the SLI is read from a bucket.
   */
  latency?: { thresholdSeconds: number; objective: number };
  /** The SLO window the error budget is spent over. Default `30d`. */
  window?: string;
}

export interface DashboardOptions {
  /** Which metric names to query: prom-client style (`prometheus`, default) or the OTel JS exporter's (`otel`). */
  flavor?: NamingFlavor;
  /** uid of the Prometheus datasource the dashboards select by default. Default `prometheus`. */
  datasourceUid?: string;
  /**
   * Label matchers added to every selector, e.g. `{ namespace: 'shop' }`, for Prometheus servers
   * that hold more than this service.
   */
  selectors?: Readonly<Record<string, string>>;
  slo?: SloOptions;
  /** Prefix of every dashboard uid. Default `eventscope`; uids stay stable across runs. */
  uidPrefix?: string;
  /** Prefix of every dashboard title. Default `eventscope`. */
  titlePrefix?: string;
  /** Extra dashboard tags (every dashboard carries `eventscope`). */
  tags?: readonly string[];
  /** Dashboard auto-refresh. Default `30s`. */
  refresh?: string;
  /** Default time range, relative to now. Default `now-3h`. */
  timeFrom?: string;
}

export interface ResolvedSlo {
  availability?: number;
  latency?: { thresholdSeconds: number; objective: number };
  window: string;
}

export interface ResolvedOptions {
  flavor: NamingFlavor;
  datasourceUid: string;
  selectors: Readonly<Record<string, string>>;
  slo?: ResolvedSlo;
  uidPrefix: string;
  titlePrefix: string;
  tags: readonly string[];
  refresh: string;
  timeFrom: string;
}

const durationPattern = /^[0-9]+(ms|s|m|h|d|w|y)$/;
const labelPattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkObjective(name: string, value: number): void {
  if (!(value > 0 && value < 1)) {
    throw new Error(`slo.${name} must be between 0 and 1 (exclusive), e.g. 0.999; got ${value}`);
  }
}

/** Fill in defaults and reject options that would produce broken queries, saying what to fix. */
export function resolveOptions(options: DashboardOptions = {}): ResolvedOptions {
  const flavor = options.flavor ?? 'prometheus';
  if (flavor !== 'prometheus' && flavor !== 'otel') {
    throw new Error(`flavor must be 'prometheus' or 'otel'; got ${String(flavor)}`);
  }
  const selectors = options.selectors ?? {};
  for (const label of Object.keys(selectors)) {
    if (!labelPattern.test(label))
      throw new Error(`selectors: "${label}" is not a valid Prometheus label name`);
  }
  const uidPrefix = options.uidPrefix ?? 'eventscope';
  if (!/^[a-zA-Z0-9_-]{1,24}$/.test(uidPrefix)) {
    throw new Error(`uidPrefix must be 1-24 characters of letters, digits, '-' or '_'; got "${uidPrefix}"`);
  }
  let slo: ResolvedSlo | undefined;
  if (options.slo) {
    const window = options.slo.window ?? '30d';
    if (!durationPattern.test(window))
      throw new Error(`slo.window must be a Prometheus duration like 30d; got ${window}`);
    if (options.slo.availability !== undefined) checkObjective('availability', options.slo.availability);
    const latency = options.slo.latency;
    if (latency) {
      checkObjective('latency.objective', latency.objective);
      if (!(durationBuckets as readonly number[]).includes(latency.thresholdSeconds)) {
        throw new Error(
          `slo.latency.thresholdSeconds must be a processing-time bucket bound (${durationBuckets.join(', ')}); got ${latency.thresholdSeconds}`,
        );
      }
    }
    slo = {
      window,
      ...(options.slo.availability !== undefined ? { availability: options.slo.availability } : {}),
      ...(latency ? { latency: { ...latency } } : {}),
    };
    if (!slo.availability && !slo.latency) slo = undefined;
  }
  return {
    flavor,
    datasourceUid: options.datasourceUid ?? 'prometheus',
    selectors,
    ...(slo ? { slo } : {}),
    uidPrefix,
    titlePrefix: options.titlePrefix ?? 'eventscope',
    tags: ['eventscope', ...(options.tags ?? [])],
    refresh: options.refresh ?? '30s',
    timeFrom: options.timeFrom ?? 'now-3h',
  };
}
