import { attributes } from '@eventscope/catalog';
import type { CounterSeries, HistogramSeries, LabelValues, SignalStore } from './store.js';
import { producerKind, type SpanTemplate, spanTemplate } from './tracing.js';

interface FailureSeries {
  readonly duration: HistogramSeries;
  readonly sent: CounterSeries;
}

/** Every series one producer records into for one destination, resolved once. */
export class ProducerSeries {
  readonly duration: HistogramSeries;
  readonly sent: CounterSeries;
  readonly overflow: boolean;
  readonly labelOverflow: CounterSeries | undefined;
  readonly span: SpanTemplate;
  private readonly failures = new Map<string, FailureSeries>();
  private noCarrier: CounterSeries | undefined;
  private readonly operationLabels: LabelValues;
  private readonly sentLabels: LabelValues;

  constructor(
    private readonly store: SignalStore,
    base: { system: string; destination: string; operationName: string },
  ) {
    this.operationLabels = {
      [attributes.system]: base.system,
      [attributes.destination]: base.destination,
      [attributes.operationName]: base.operationName,
      [attributes.operationType]: 'send',
    };
    this.sentLabels = {
      [attributes.system]: base.system,
      [attributes.destination]: base.destination,
      [attributes.operationName]: base.operationName,
    };
    this.duration = store.series('clientOperationDuration', this.operationLabels);
    this.sent = store.series('sentMessages', this.sentLabels);
    this.overflow = this.duration.overflow;
    this.labelOverflow = this.overflow
      ? store.series('labelOverflow', { [attributes.system]: base.system })
      : undefined;
    const spanAttributes: Record<string, string> = {
      [attributes.system]: base.system,
      [attributes.operationName]: base.operationName,
      [attributes.operationType]: 'send',
    };
    if (base.destination !== '') spanAttributes[attributes.destination] = base.destination;
    this.span = spanTemplate(producerKind, base.operationName, spanAttributes);
  }

  failure(errorType: string): FailureSeries {
    let series = this.failures.get(errorType);
    if (series === undefined) {
      series = {
        duration: this.store.series('clientOperationDuration', {
          ...this.operationLabels,
          [attributes.errorType]: errorType,
        }),
        sent: this.store.series('sentMessages', { ...this.sentLabels, [attributes.errorType]: errorType }),
      };
      this.failures.set(errorType, series);
    }
    return series;
  }

  /** A send call with no place for headers: nothing could be injected. */
  carrierMissing(): void {
    this.noCarrier ??= this.store.series('propagationErrors', {
      [attributes.system]: this.sentLabels[attributes.system],
      [attributes.destination]: this.sentLabels[attributes.destination],
      [attributes.propagationError]: 'carrier',
    });
    this.noCarrier.add(1);
  }
}
