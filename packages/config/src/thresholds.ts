type ThresholdUnitName = 'seconds' | 'ratio' | 'factor' | 'perSecond' | 'count';

interface ThresholdSpec {
  readonly unit: ThresholdUnitName;
  readonly default: number;
  readonly description: string;
}

const thresholdSpecs = {
  trafficFloorPerSecond: {
    unit: 'perSecond',
    default: 0.1,
    description:
      'Events per second a destination must handle (now and at the baseline) before regression and ratio alerts may fire.',
  },
  latencyRegressionFactor: {
    unit: 'factor',
    default: 1.5,
    description: "p99 processing time now divided by the baseline's p99.",
  },
  throughputDropRatio: {
    unit: 'ratio',
    default: 0.5,
    description: "Throughput now divided by the baseline's throughput, below which throughput has dropped.",
  },
  heapFloorGrowthFactor: {
    unit: 'factor',
    default: 1.5,
    description: "Heap floor (lowest heap used over the window) now divided by the baseline's floor.",
  },
  gcShareGrowthFactor: {
    unit: 'factor',
    default: 2,
    description: "Share of wall time in GC now divided by the baseline's share.",
  },
  gcTimeShareRatio: { unit: 'ratio', default: 0.1, description: 'Share of wall time in GC pauses, 0 to 1.' },
  gcShareFloorRatio: {
    unit: 'ratio',
    default: 0.02,
    description: 'Lowest GC time share at which a growth against the baseline is worth an alert.',
  },
  majorGcPauseSeconds: { unit: 'seconds', default: 0.1, description: 'p99 of major GC pauses, seconds.' },
  heapLimitRatio: { unit: 'ratio', default: 0.9, description: "Heap used divided by V8's heap size limit." },
  memoryPredictionSeconds: {
    unit: 'seconds',
    default: 4 * 3600,
    description: 'How far ahead the heap growth is extrapolated, in whole seconds.',
  },
  eventLoopDelaySeconds: { unit: 'seconds', default: 0.1, description: 'Event-loop delay p99, seconds.' },
  eventLoopUtilizationRatio: { unit: 'ratio', default: 0.9, description: 'Event-loop utilization, 0 to 1.' },
  restartsPerWindow: {
    unit: 'count',
    default: 3,
    description: 'Process restarts within the restart window.',
  },
  eventAgeSeconds: {
    unit: 'seconds',
    default: 60,
    description: 'Median event age (backlog) above which a growing age alerts.',
  },
  errorRatio: { unit: 'ratio', default: 0.05, description: 'Failed events divided by all events.' },
  propagationErrorRatio: {
    unit: 'ratio',
    default: 0.01,
    description: 'Events with unreadable trace or timing headers divided by all events.',
  },
  backlogWaitingFloor: {
    unit: 'count',
    default: 100,
    description:
      'Messages the broker holds for a consumer (group), not delivered yet, above which a growing backlog alerts.',
  },
} as const satisfies Record<string, ThresholdSpec>;

/**
 * Every threshold the toolkit judges a value by, in one place: the alerts fire at these values and
 * the dashboards turn a panel red at exactly the same ones. Names carry their unit: `Seconds`,
 * `Ratio` (0 to 1), `PerSecond`, `Factor`, `PerWindow`.
 */
export type Thresholds = { -readonly [K in keyof typeof thresholdSpecs]: number };
export type ThresholdUnit = ThresholdUnitName;

const thresholdKeys = Object.keys(thresholdSpecs) as (keyof Thresholds)[];
const fromSpecs = <T>(pick: (spec: ThresholdSpec) => T) =>
  Object.fromEntries(thresholdKeys.map((key) => [key, pick(thresholdSpecs[key])])) as Record<
    keyof Thresholds,
    T
  >;

export const defaultThresholds: Readonly<Thresholds> = fromSpecs((spec) => spec.default);
export const thresholdUnits: Readonly<Record<keyof Thresholds, ThresholdUnit>> = fromSpecs(
  (spec) => spec.unit,
);
export const thresholdDescriptions: Readonly<Record<keyof Thresholds, string>> = fromSpecs(
  (spec) => spec.description,
);

/** Pause and delay thresholds over this many seconds are almost surely milliseconds. */
export const shortSecondsLimit: Readonly<Partial<Record<keyof Thresholds, number>>> = {
  majorGcPauseSeconds: 10,
  eventLoopDelaySeconds: 10,
};

/** One colour step of a panel: the value from which the colour applies. */
export interface ThresholdStep {
  value: number;
  color: string;
}

/**
 * Quantities a dashboard panel colours. Where an alert judges the same quantity, the panel turns
 * red exactly at the alert's threshold (`alert`); `warn` is where it turns orange first.
 */
interface PanelScale {
  warn: number;
  /** The alert threshold the red step equals, or a fixed red step for a quantity no alert judges. */
  red: keyof Thresholds | number;
}

const panelScales = {
  /** Share of processed events that failed. */
  errorRatio: { warn: 0.01, red: 'errorRatio' },
  /** p99 handler processing time, seconds. */
  processingLatencyP99: { warn: 0.1, red: 0.5 },
  /** p99 event age when the handler starts, seconds. */
  eventAgeP99: { warn: 1, red: 10 },
  /** GC pause time inside running handlers over handler time. */
  handlerTimeInGc: { warn: 0.05, red: 0.15 },
  /** GC pause time over wall-clock time, per process. */
  timeInGc: { warn: 0.05, red: 'gcTimeShareRatio' },
  /** V8 heap in use over the heap size limit. */
  heapUsedOfLimit: { warn: 0.7, red: 'heapLimitRatio' },
  /** p99 event-loop delay, seconds. */
  loopDelayP99: { warn: 0.05, red: 'eventLoopDelaySeconds' },
  /** Share of time the event loop was busy. */
  loopUtilization: { warn: 0.7, red: 'eventLoopUtilizationRatio' },
  /** Relative change against a baseline where higher is worse. */
  regression: { warn: 0.1, red: 0.2 },
  /** Messages the broker holds for a consumer (group): red from the floor a growing backlog alerts above. */
  backlogWaiting: { warn: 50, red: 'backlogWaitingFloor' },
} as const satisfies Record<string, PanelScale>;

export type PanelQuantity = keyof typeof panelScales;
export const panelQuantities = Object.keys(panelScales) as PanelQuantity[];

/** The alert threshold a panel quantity's red step equals, when an alert judges it. */
export function alertThresholdOf(quantity: PanelQuantity): keyof Thresholds | undefined {
  const red: PanelScale['red'] = panelScales[quantity].red;
  return typeof red === 'string' ? red : undefined;
}

/** Orange then red steps for a quantity, red at the configured alert threshold where one exists. */
export function panelSteps(quantity: PanelQuantity, thresholds: Thresholds): readonly ThresholdStep[] {
  const scale: PanelScale = panelScales[quantity];
  const red = typeof scale.red === 'string' ? thresholds[scale.red] : scale.red;
  // A user who lowers an alert threshold below the default warning level gets orange at half of it.
  const warn = scale.warn < red ? scale.warn : Number((red / 2).toPrecision(12));
  return [
    { value: warn, color: 'orange' },
    { value: red, color: 'red' },
  ];
}

export const THRESHOLDS_BEGIN = '<!-- THRESHOLDS_BEGIN (generated by `pnpm run docs`; do not edit) -->';
export const THRESHOLDS_END = '<!-- THRESHOLDS_END -->';

/** The thresholds as a Markdown table for the README: key, unit, default, meaning. */
export function renderThresholdTable(): string {
  const rows = thresholdKeys.map((key) => {
    const spec: ThresholdSpec = thresholdSpecs[key];
    return `| \`${key}\` | ${spec.unit} | ${spec.default} | ${spec.description} |`;
  });
  return ['| threshold | unit | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
