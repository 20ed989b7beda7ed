import { renderSignalTable, type SignalKey } from '@eventscope/catalog';

/**
 * The catalog signals the demo's /metrics carries. Failed events, dead letters, label overflow
 * and instrumentation errors are there at 0 (counters exist before their first event, so increase()
 * sees it). The backlog gauges are the in-memory broker's own counts, redeliveries aside. The rest
 * need what the in-memory broker does not do (batches, acks, redelivery) or a fault (bad headers,
 * clock skew). A test checks this list against a running pipeline.
 */
export const demoSignals: readonly SignalKey[] = [
  'processDuration',
  'clientOperationDuration',
  'sentMessages',
  'consumedMessages',
  'eventAge',
  'pipelineAge',
  'inFlight',
  'slowEvents',
  'gcOverlap',
  'gcDuration',
  'heapUsed',
  'heapSpaceSize',
  'heapSizeLimit',
  'memoryRss',
  'loopTime',
  'loopDelay',
  'cpuTime',
  'processStartTime',
  'failedEvents',
  'deadLetteredEvents',
  'labelOverflow',
  'instrumentationErrors',
  'backlogWaiting',
  'backlogUnsettled',
  'backlogOldestAge',
  'backlogConsumers',
];

/** The README's generated block (`node scripts/docs.mjs`): the signals the demo emits. */
export function signalTable(): string {
  const emitted = new Set<string>(demoSignals);
  return renderSignalTable((signal) => emitted.has(signal.key));
}
