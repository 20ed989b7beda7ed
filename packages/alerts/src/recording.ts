import {
  errorRatio,
  gcTimeShare,
  handlerTimeInGc,
  heapUsed,
  label,
  percentile,
  throughput,
} from '@eventscope/config/promql';
import type { AlertContext, RecordingRule } from './alert.js';

/**
 * Recording rules for what dashboards and people query again and again: per-destination rates,
 * quantiles and ratios, per-instance GC share and heap. Named `level:metric:operation`, the
 * Prometheus convention, with the level spelled from the labels kept.
 */
export function recordingRules(ctx: AlertContext): RecordingRule[] {
  const { q, window: w } = ctx;
  const byDestination = q.byDestination;
  const destLevel = `${q.service}_destination`;
  const instLevel = `${q.service}_instance`;
  const processed = q.name('processDuration', 'count');
  return [
    { record: `${destLevel}:${processed}:rate${w}`, expr: throughput(q, byDestination, w) },
    { record: `${destLevel}:${processed}:error_ratio_rate${w}`, expr: errorRatio(q, byDestination, w) },
    ...[0.5, 0.99].map((p) => ({
      record: `${destLevel}:${q.name('processDuration')}:p${p * 100}_rate${w}`,
      expr: percentile(q, p, 'processDuration', byDestination, w),
    })),
    ...[0.5, 0.99].map((p) => ({
      record: `${destLevel}:${q.name('eventAge')}:p${p * 100}_rate${w}`,
      expr: percentile(q, p, 'eventAge', byDestination, w),
    })),
    {
      record: `${destLevel}:${q.name('consumedMessages')}:rate${w}`,
      expr: q.sumRate(byDestination, 'consumedMessages', 'value', w),
    },
    {
      record: `${q.service}_system_destination:${q.name('sentMessages')}:rate${w}`,
      expr: q.sumRate(byDestination, 'sentMessages', 'value', w),
    },
    {
      record: `${destLevel}:${q.name('gcOverlap')}:share_rate${w}`,
      expr: handlerTimeInGc(q, byDestination, w),
    },
    {
      record: `${destLevel}:${q.name('slowEvents')}:rate${w}`,
      expr: q.sumRate([...byDestination, label.slowCause], 'slowEvents', 'value', w),
    },
    {
      record: `${instLevel}:${q.name('gcDuration', 'sum')}:rate${w}`,
      expr: gcTimeShare(q, q.byInstance, w),
    },
    { record: `${instLevel}:${q.name('heapUsed')}:sum`, expr: heapUsed(q, q.byInstance) },
  ];
}
