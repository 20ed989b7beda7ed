/**
 * Every colour threshold the dashboards draw, in one place: a panel that shows the same quantity
 * on two dashboards turns orange and red at the same values. Steps are above the base colour.
 * The panel descriptions spell these values out; change both together.
 */
export interface ThresholdStep {
  value: number;
  color: string;
}

const orangeRed = (orange: number, red: number): readonly ThresholdStep[] => [
  { value: orange, color: 'orange' },
  { value: red, color: 'red' },
];

export const thresholds = {
  /** Share of processed events that failed. */
  errorRatio: orangeRed(0.01, 0.05),
  /** p99 handler processing time, seconds. */
  processingLatencyP99: orangeRed(0.1, 0.5),
  /** p99 event age when the handler starts, seconds. */
  eventAgeP99: orangeRed(1, 10),
  /** GC pause time inside running handlers over handler time. */
  handlerTimeInGc: orangeRed(0.05, 0.15),
  /** GC pause time over wall-clock time, per process. */
  timeInGc: orangeRed(0.05, 0.1),
  /** V8 heap in use over the heap size limit. */
  heapUsedOfLimit: orangeRed(0.7, 0.85),
  /** p99 event-loop delay, seconds. */
  loopDelayP99: orangeRed(0.05, 0.2),
  /** Share of time the event loop was busy. */
  loopUtilization: orangeRed(0.7, 0.9),
  /** Process restarts within the dashboard range. */
  restarts: [{ value: 1, color: 'orange' }] as readonly ThresholdStep[],
  /** Error-budget burn rate: 6 over 6h tickets, 14.4 over 1h pages. */
  burnRate: orangeRed(6, 14.4),
  /** Share of the error budget left (base colour red: below 25 % is bad). */
  budgetLeft: [
    { value: 0.25, color: 'orange' },
    { value: 0.5, color: 'green' },
  ] as readonly ThresholdStep[],
  /** Relative change against a baseline where higher is worse. */
  regression: orangeRed(0.1, 0.2),
} as const;
