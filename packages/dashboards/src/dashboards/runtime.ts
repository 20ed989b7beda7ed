import { panelSteps, type ResolvedConfig } from '@eventscope/config';
import {
  gcTimeShare,
  heapUsed,
  heapUsedOfLimit,
  label,
  loopDelay,
  loopUtilization,
  max,
  percentile,
  sum,
} from '@eventscope/config/promql';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE_INTERVAL } from '../queries.js';
import { formatValue } from '../units.js';
import { dashboardVariables } from '../variables.js';
import { dashboardContext } from './context.js';
import { dashboardFrame } from './frame.js';
import { handlerTimeInGcPanel } from './shared-panels.js';
import { restartSteps, stepValue } from './thresholds.js';

/** Runtime: garbage collection, heap, RSS and the event loop — where latency goes when handlers are fine. */
export function runtimeDashboard(config: ResolvedConfig): Dashboard {
  const ctx = dashboardContext(config);
  const { q, panels } = ctx;
  const gcType = label.gcType;
  const space = label.heapSpace;
  const instance = q.byInstance;
  const gcSteps = panelSteps('timeInGc', config.thresholds);
  const heapSteps = panelSteps('heapUsedOfLimit', config.thresholds);
  const loopDelaySteps = panelSteps('loopDelayP99', config.thresholds);
  const at = (steps: typeof gcSteps, color: string, unit: string) => stepValue(steps, color, unit);

  return dashboardFrame(
    config,
    'runtime',
    'Runtime',
    'GC pauses, heap, RSS and event-loop delay of the instrumented Node.js processes, and how much handler time GC pauses took.',
  )
    .variables(dashboardVariables(config, 'gcDuration'))
    .withRow(panels.row('At a glance'))
    .withPanel(
      panels.stat({
        title: 'Time in GC pauses',
        description: `Share of wall-clock time the selected processes spent paused for garbage collection, for the busiest process. Bad: above ${at(gcSteps, 'orange', 'percentunit')} (orange) or ${at(gcSteps, 'red', 'percentunit')} (red, where the alert fires): memory pressure is stealing time from handlers.`,
        unit: 'percentunit',
        queries: [{ expr: max([], gcTimeShare(q, instance, RATE_INTERVAL)) }],
        thresholds: gcSteps,
      }),
    )
    .withPanel(
      panels.stat({
        title: 'Heap used of limit',
        description: `V8 heap in use divided by the most the heap may grow to, for the fullest process. Bad: above ${at(heapSteps, 'orange', 'percentunit')} and climbing (orange), above ${at(heapSteps, 'red', 'percentunit')} (red, where the alert fires): GC runs more often and an out-of-memory crash approaches.`,
        unit: 'percentunit',
        queries: [{ expr: max([], heapUsedOfLimit(q, instance)) }],
        thresholds: heapSteps,
      }),
    )
    .withPanel(
      panels.stat({
        title: 'Event-loop delay p99',
        description: `The worst p99 event-loop delay of the selected processes: how late timers and I/O callbacks run. Bad: above ${at(loopDelaySteps, 'orange', 's')} (orange) or ${at(loopDelaySteps, 'red', 's')} (red, where the alert fires): something blocks the loop.`,
        unit: 's',
        queries: [{ expr: max([], loopDelay(q, 0.99, instance, RATE_INTERVAL)) }],
        thresholds: loopDelaySteps,
      }),
    )
    .withPanel(
      panels.stat({
        title: 'Restarts in range',
        description:
          'How often the process start time changed within the dashboard time range, i.e. restarts of a process keeping its scrape target. Bad: any restart you did not deploy (crash, out-of-memory kill).',
        unit: 'short',
        queries: [{ expr: sum([], q.overTime('changes', 'processStartTime', 'value', '$__range')) }],
        thresholds: restartSteps,
      }),
    )
    .withRow(panels.row('Garbage collection'))
    .withPanel(
      panels.timeseries({
        title: 'GC pauses per second by type',
        description:
          'Garbage collections per second by type (minor: young generation; major: full mark-compact; incremental; weakcb). Bad: major GCs becoming frequent: the old generation is nearly full.',
        unit: 'ops',
        queries: [
          { expr: q.sumRate([gcType], 'gcDuration', 'count', RATE_INTERVAL), legend: `{{${gcType}}}` },
        ],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'GC pause p99 by type',
        description: `The longest 1 % of GC pauses, by type; every handler running during a pause waits for it. Bad: major pauses over ${formatValue(config.thresholds.majorGcPauseSeconds, 's')} (where the alert fires), which show up one to one in processing latency.`,
        unit: 's',
        queries: [
          { expr: percentile(q, 0.99, 'gcDuration', [gcType], RATE_INTERVAL), legend: `{{${gcType}}}` },
        ],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Share of time in GC pauses',
        description: `Seconds of GC pause per second of wall-clock time, per process. Bad: above ${at(gcSteps, 'orange', 'percentunit')}, or rising together with heap use (a leak or a growing cache).`,
        unit: 'percentunit',
        min: 0,
        queries: [{ expr: gcTimeShare(q, instance, RATE_INTERVAL), legend: `{{${label.instance}}}` }],
        thresholds: gcSteps,
      }),
    )
    .withPanel(
      handlerTimeInGcPanel(
        ctx,
        {
          title: 'Share of handler time overlapped by GC',
          description:
            'GC pause time that fell inside running handlers, divided by handler time, per destination: how much of processing latency is GC. Bad: above a few percent; reduce allocation or raise the heap.',
        },
        true,
      ),
    )
    .withRow(panels.row('Memory'))
    .withPanel(
      panels.timeseries({
        title: 'Heap used vs. size by space',
        description:
          'V8 heap bytes in use and reserved per heap space, with the heap size limit. Bad: old_space used climbing towards the limit and not dropping after major GCs (a leak).',
        unit: 'bytes',
        width: 16,
        queries: [
          { expr: heapUsed(q, [space]), legend: `{{${space}}} used` },
          { expr: sum([space], q.instant('heapSpaceSize')), legend: `{{${space}}} size` },
          { expr: sum([], q.instant('heapSizeLimit')), legend: 'heap size limit' },
        ],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Resident memory (RSS)',
        description:
          'Resident set size per process: heap plus buffers, code and native memory. Bad: growing while the heap is flat (native or Buffer leak), or nearing the container memory limit.',
        unit: 'bytes',
        width: 8,
        queries: [{ expr: sum(instance, q.instant('memoryRss')), legend: `{{${label.instance}}}` }],
      }),
    )
    .withRow(panels.row('Event loop'))
    .withPanel(
      panels.timeseries({
        title: 'Event-loop delay p50 / p90 / p99',
        description: `How late the event loop ran scheduled work, per process (timer lateness, the timer's own interval not counted: an idle loop reads well under a millisecond). Bad: p99 over ${at(loopDelaySteps, 'orange', 's')}: synchronous work (JSON, crypto, regex, GC) blocks every handler meanwhile.`,
        unit: 's',
        queries: [0.5, 0.9, 0.99].map((p) => ({
          expr: loopDelay(q, p, instance, RATE_INTERVAL),
          legend: `p${Math.round(p * 100)} {{${label.instance}}}`,
        })),
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Event-loop utilization',
        description:
          'Share of time the event loop was busy rather than waiting for I/O. Bad: near 100 %: the process is CPU-bound and events queue up; scale out or move work off the loop.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [{ expr: loopUtilization(q, instance, RATE_INTERVAL), legend: `{{${label.instance}}}` }],
        thresholds: panelSteps('loopUtilization', config.thresholds),
      }),
    )
    .build();
}
