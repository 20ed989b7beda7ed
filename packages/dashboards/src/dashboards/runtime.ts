import { attributes } from '@eventscope/catalog';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ResolvedOptions } from '../options.js';
import { PanelFactory } from '../panels.js';
import { max, PromQL, sum } from '../promql.js';
import { dashboardVariables } from '../variables.js';
import { dashboardFrame } from './frame.js';
import { handlerTimeInGc } from './shared-panels.js';
import { thresholds } from './thresholds.js';

/** Runtime: garbage collection, heap, RSS and the event loop — where latency goes when handlers are fine. */
export function runtimeDashboard(options: ResolvedOptions): Dashboard {
  const q = new PromQL(options);
  const panels = new PanelFactory();
  const gcType = q.label(attributes.gcType);
  const space = q.label(attributes.heapSpace);

  return dashboardFrame(
    options,
    'runtime',
    'Runtime',
    'GC pauses, heap, RSS and event-loop delay of the instrumented Node.js processes, and how much handler time GC pauses took.',
  )
    .variables(dashboardVariables(q, options, 'gcDuration'))
    .withRow(panels.row('At a glance'))
    .withPanel(
      panels.stat({
        title: 'Time in GC pauses',
        description:
          'Share of wall-clock time the selected processes spent paused for garbage collection. Bad: above 5 % (orange) or 10 % (red): memory pressure is stealing time from handlers.',
        unit: 'percentunit',
        queries: [{ expr: max([], sum(['instance'], q.rate('gcDuration', 'sum'))) }],
        thresholds: thresholds.timeInGc,
      }),
    )
    .withPanel(
      panels.stat({
        title: 'Heap used of limit',
        description:
          'V8 heap in use divided by the most the heap may grow to, for the fullest process. Bad: above 70 % and climbing: GC runs more often and an out-of-memory crash approaches.',
        unit: 'percentunit',
        queries: [
          {
            expr: max(
              [],
              `${sum(['instance'], q.instant('heapUsed'))} / ${sum(['instance'], q.instant('heapSizeLimit'))}`,
            ),
          },
        ],
        thresholds: thresholds.heapUsedOfLimit,
      }),
    )
    .withPanel(
      panels.stat({
        title: 'Event-loop delay p99',
        description:
          'The worst p99 event-loop delay of the selected processes: how late timers and I/O callbacks run. Bad: above 50 ms (orange) or 200 ms (red): something blocks the loop.',
        unit: 's',
        queries: [{ expr: max([], q.instant('loopDelayP99')) }],
        thresholds: thresholds.loopDelayP99,
      }),
    )
    .withPanel(
      panels.stat({
        title: 'Restarts in range',
        description:
          'How often the process start time changed within the dashboard time range, i.e. restarts of a process keeping its scrape target. Bad: any restart you did not deploy (crash, out-of-memory kill).',
        unit: 'short',
        queries: [{ expr: sum([], `changes(${q.range('processStartTime', 'value', '$__range')})`) }],
        thresholds: thresholds.restarts,
      }),
    )
    .withRow(panels.row('Garbage collection'))
    .withPanel(
      panels.timeseries({
        title: 'GC pauses per second by type',
        description:
          'Garbage collections per second by type (minor: young generation; major: full mark-compact; incremental; weakcb). Bad: major GCs becoming frequent: the old generation is nearly full.',
        unit: 'ops',
        queries: [{ expr: sum([gcType], q.rate('gcDuration', 'count')), legend: `{{${gcType}}}` }],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'GC pause p99 by type',
        description:
          'The longest 1 % of GC pauses, by type; every handler running during a pause waits for it. Bad: major pauses over 50 ms, which show up one to one in processing latency.',
        unit: 's',
        queries: [{ expr: q.quantile(0.99, 'gcDuration', [gcType]), legend: `{{${gcType}}}` }],
      }),
    )
    .withPanel(
      panels.timeseries({
        title: 'Share of time in GC pauses',
        description:
          'Seconds of GC pause per second of wall-clock time, per process. Bad: above 5 %, or rising together with heap use (a leak or a growing cache).',
        unit: 'percentunit',
        min: 0,
        queries: [{ expr: sum(['instance'], q.rate('gcDuration', 'sum')), legend: '{{instance}}' }],
        thresholds: thresholds.timeInGc,
      }),
    )
    .withPanel(
      handlerTimeInGc(
        panels,
        q,
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
          { expr: sum([space], q.instant('heapUsed')), legend: `{{${space}}} used` },
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
        queries: [{ expr: sum(['instance'], q.instant('memoryRss')), legend: '{{instance}}' }],
      }),
    )
    .withRow(panels.row('Event loop'))
    .withPanel(
      panels.timeseries({
        title: 'Event-loop delay p50 / p99 / max',
        description:
          'How late the event loop ran scheduled work, per process. Bad: p99 or max over 50 ms: synchronous work (JSON, crypto, regex, GC) blocks every handler meanwhile.',
        unit: 's',
        queries: [
          { expr: max(['instance'], q.instant('loopDelayP50')), legend: 'p50 {{instance}}' },
          { expr: max(['instance'], q.instant('loopDelayP99')), legend: 'p99 {{instance}}' },
          { expr: max(['instance'], q.instant('loopDelayMax')), legend: 'max {{instance}}' },
        ],
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
        queries: [{ expr: max(['instance'], q.instant('loopUtilization')), legend: '{{instance}}' }],
        thresholds: thresholds.loopUtilization,
      }),
    )
    .build();
}
