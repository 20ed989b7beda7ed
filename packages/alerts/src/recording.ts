import { attributes, labelName } from '@eventscope/catalog';
import type { AlertContext } from './alert.js';
import type { RecordingRule } from './alerts/slo.js';
import { formatDuration } from './profile.js';
import { label, on, quantile, rate, sumBy } from './promql.js';

/**
 * Recording rules for what dashboards and people query again and again: per-destination rates,
 * quantiles and ratios, per-instance GC share and heap. Named `level:metric:operation`, the
 * Prometheus convention, with the level spelled from the labels kept.
 */
export function recordingRules(ctx: AlertContext): RecordingRule[] {
  const { q, profile } = ctx;
  const w = profile.rateSeconds;
  const win = formatDuration(w);
  const destLevel = `${q.service}_destination`;
  const instLevel = `${q.service}_instance`;
  const count = q.select('processDuration', 'count');
  const processedRate = sumBy(q.byDestination, rate(count, w));
  return [
    { record: `${destLevel}:${q.name('processDuration', 'count')}:rate${win}`, expr: processedRate },
    {
      record: `${destLevel}:${q.name('processDuration', 'count')}:error_ratio_rate${win}`,
      expr: `${sumBy(q.byDestination, rate(q.select('processDuration', 'count', [`${label.errorType}!=""`]), w))}\n/\n${processedRate}`,
    },
    ...[0.5, 0.99].map((p) => ({
      record: `${destLevel}:${q.name('processDuration')}:p${p * 100}_rate${win}`,
      expr: quantile(p, q.byDestination, q.select('processDuration', 'bucket'), w),
    })),
    ...[0.5, 0.99].map((p) => ({
      record: `${destLevel}:${q.name('eventAge')}:p${p * 100}_rate${win}`,
      expr: quantile(p, q.byDestination, q.select('eventAge', 'bucket'), w),
    })),
    {
      record: `${destLevel}:${q.name('consumedMessages')}:rate${win}`,
      expr: sumBy(q.byDestination, rate(q.select('consumedMessages'), w)),
    },
    {
      record: `${q.service}_system_destination:${q.name('sentMessages')}:rate${win}`,
      expr: sumBy([q.service, label.system, label.destination], rate(q.select('sentMessages'), w)),
    },
    {
      record: `${destLevel}:${q.name('gcOverlap')}:share_rate${win}`,
      expr: `${sumBy(q.byDestination, rate(q.select('gcOverlap'), w))}\n/ ${on(q.byDestination)}\n${sumBy(q.byDestination, rate(q.select('processDuration', 'sum'), w))}`,
    },
    {
      record: `${destLevel}:${q.name('slowEvents')}:rate${win}`,
      expr: sumBy([...q.byDestination, labelName(attributes.slowCause)], rate(q.select('slowEvents'), w)),
    },
    {
      record: `${instLevel}:${q.name('gcDuration', 'sum')}:rate${win}`,
      expr: sumBy(q.byInstance, rate(q.select('gcDuration', 'sum'), w)),
    },
    { record: `${instLevel}:${q.name('heapUsed')}:sum`, expr: sumBy(q.byInstance, q.select('heapUsed')) },
  ];
}
