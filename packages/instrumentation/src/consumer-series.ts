import { attributes } from '@eventscope/catalog';
import { type AttributionTarget, createAttributionTarget } from './runtime/attribution.js';
import type { CounterSeries, GaugeSeries, HistogramSeries, LabelValues, SignalStore } from './store.js';
import { consumerKind, type SpanTemplate, spanTemplate } from './tracing.js';

/** What can go wrong reading an event's headers (`eventscope.propagation.error`). */
export type PropagationError = 'traceparent' | 'tracestate' | 'creation_time' | 'origin_time' | 'carrier';

interface FailureSeries {
  readonly duration: HistogramSeries;
  readonly consumed: CounterSeries;
}

/**
 * Every series one consumer records into for one destination, resolved once. Per event the wrapper
 * only touches fields of this object; series that only failures or bad headers need are resolved on
 * first use and cached here.
 */
export class ConsumerSeries {
  readonly duration: HistogramSeries;
  readonly consumed: CounterSeries;
  readonly inFlight: GaugeSeries;
  readonly eventAge: HistogramSeries;
  readonly pipelineAge: HistogramSeries;
  readonly batchSize: HistogramSeries | undefined;
  readonly attribution: AttributionTarget;
  readonly overflow: boolean;
  /** `eventscope.label.overflow`, counted per event recorded into the overflow destination. */
  readonly labelOverflow: CounterSeries | undefined;
  readonly span: SpanTemplate;
  private readonly failures = new Map<string, FailureSeries>();
  private readonly propagation = new Map<PropagationError, CounterSeries>();
  private clockSkew: CounterSeries | undefined;
  private readonly labels: LabelValues;
  private readonly destinationLabels: LabelValues;

  constructor(
    private readonly store: SignalStore,
    base: { system: string; destination: string; consumerGroup: string; operationName: string },
    slowThresholdMs: number,
    batch: boolean,
  ) {
    this.labels = {
      [attributes.system]: base.system,
      [attributes.destination]: base.destination,
      [attributes.operationName]: base.operationName,
      [attributes.consumerGroup]: base.consumerGroup,
    };
    this.destinationLabels = {
      [attributes.system]: base.system,
      [attributes.destination]: base.destination,
      [attributes.consumerGroup]: base.consumerGroup,
    };
    this.duration = store.series('processDuration', this.labels);
    this.consumed = store.series('consumedMessages', this.labels);
    this.inFlight = store.series('inFlight', this.destinationLabels);
    this.eventAge = store.series('eventAge', this.destinationLabels);
    this.pipelineAge = store.series('pipelineAge', this.destinationLabels);
    this.batchSize = batch ? store.series('batchSize', this.destinationLabels) : undefined;
    this.attribution = createAttributionTarget(store, this.destinationLabels, slowThresholdMs);
    this.overflow = this.duration.overflow;
    this.labelOverflow = this.overflow
      ? store.series('labelOverflow', { [attributes.system]: base.system })
      : undefined;
    const spanAttributes: Record<string, string> = {
      [attributes.system]: base.system,
      [attributes.operationName]: base.operationName,
      [attributes.operationType]: 'process',
    };
    if (base.destination !== '') spanAttributes[attributes.destination] = base.destination;
    if (base.consumerGroup !== '') spanAttributes[attributes.consumerGroup] = base.consumerGroup;
    this.span = spanTemplate(consumerKind, base.operationName, spanAttributes);
  }

  /** Series of failed events with one `error.type`. */
  failure(errorType: string): FailureSeries {
    let series = this.failures.get(errorType);
    if (series === undefined) {
      const labels = { ...this.labels, [attributes.errorType]: errorType };
      series = {
        duration: this.store.series('processDuration', labels),
        consumed: this.store.series('consumedMessages', labels),
      };
      this.failures.set(errorType, series);
    }
    return series;
  }

  propagationError(kind: PropagationError): void {
    let series = this.propagation.get(kind);
    if (series === undefined) {
      series = this.store.series('propagationErrors', {
        [attributes.system]: this.labels[attributes.system],
        [attributes.destination]: this.labels[attributes.destination],
        [attributes.propagationError]: kind,
      });
      this.propagation.set(kind, series);
    }
    series.add(1);
  }

  clockSkewed(): void {
    this.clockSkew ??= this.store.series('clockSkewEvents', {
      [attributes.system]: this.labels[attributes.system],
      [attributes.destination]: this.labels[attributes.destination],
    });
    this.clockSkew.add(1);
  }
}
