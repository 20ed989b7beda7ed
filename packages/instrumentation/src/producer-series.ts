import { attributes } from '@eventscope/catalog';
import { DestinationSeries, type SeriesIdentity } from './destination-series.js';
import type { CounterSeries, HistogramSeries, LabelValues, SignalStore } from './store.js';
import { producerKind } from './tracing.js';

interface FailureSeries {
  readonly duration: HistogramSeries;
  readonly sent: CounterSeries;
}

/** Every series one producer records into for one destination, resolved once. */
export class ProducerSeries extends DestinationSeries<FailureSeries> {
  readonly duration: HistogramSeries;
  readonly sent: CounterSeries;
  private readonly operationLabels: LabelValues;
  private readonly sentLabels: LabelValues;

  constructor(store: SignalStore, identity: SeriesIdentity) {
    const sentLabels = {
      [attributes.system]: identity.system,
      [attributes.destination]: identity.destination,
      [attributes.operationName]: identity.operationName,
    };
    const operationLabels = { ...sentLabels, [attributes.operationType]: 'send' };
    const duration = store.series('clientOperationDuration', operationLabels);
    super(store, identity, duration.overflow, producerKind, 'send');
    this.operationLabels = operationLabels;
    this.sentLabels = sentLabels;
    this.duration = duration;
    this.sent = store.series('sentMessages', sentLabels);
  }

  protected failureSeries(errorType: string): FailureSeries {
    return {
      duration: this.store.series('clientOperationDuration', {
        ...this.operationLabels,
        [attributes.errorType]: errorType,
      }),
      sent: this.store.series('sentMessages', { ...this.sentLabels, [attributes.errorType]: errorType }),
    };
  }
}
