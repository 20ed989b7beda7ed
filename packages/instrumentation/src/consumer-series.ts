import { attributes } from '@eventscope/catalog';
import { DestinationSeries, type SeriesIdentity } from './destination-series.js';
import { type AttributionTarget, createAttributionTarget } from './runtime/attribution-target.js';
import type { CounterSeries, GaugeSeries, HistogramSeries, LabelValues, SignalStore } from './store.js';
import { consumerKind } from './tracing.js';

interface FailureSeries {
  readonly duration: HistogramSeries;
  readonly consumed: CounterSeries;
}

/**
 * Every series one consumer records into for one destination, resolved once. Per event the wrapper
 * only touches fields of this object; series that only failures or bad headers need are resolved on
 * first use and cached here.
 */
export class ConsumerSeries extends DestinationSeries<FailureSeries> {
  readonly duration: HistogramSeries;
  readonly consumed: CounterSeries;
  /** `eventscope.events.failed`: one per failed call, whatever its `error.type`. */
  readonly failed: CounterSeries;
  readonly inFlight: GaugeSeries;
  readonly eventAge: HistogramSeries;
  readonly pipelineAge: HistogramSeries;
  readonly batchSize: HistogramSeries | undefined;
  readonly attribution: AttributionTarget;
  private clockSkew: CounterSeries | undefined;
  private readonly labels: LabelValues;

  constructor(
    store: SignalStore,
    identity: SeriesIdentity & { readonly consumerGroup: string },
    slowThresholdMs: number,
    batch: boolean,
  ) {
    const destinationLabels = {
      [attributes.system]: identity.system,
      [attributes.destination]: identity.destination,
      [attributes.consumerGroup]: identity.consumerGroup,
    };
    const labels = { ...destinationLabels, [attributes.operationName]: identity.operationName };
    const duration = store.series('processDuration', labels);
    super(store, identity, duration.overflow, consumerKind, 'process');
    this.labels = labels;
    this.duration = duration;
    this.consumed = store.series('consumedMessages', labels);
    // At 0 beside the success series: a failure series per error.type first appears at 1, which
    // rate() cannot see, so the error ratio counts failures here (and the first one is seen).
    this.failed = store.series('failedEvents', labels);
    this.inFlight = store.series('inFlight', destinationLabels);
    this.eventAge = store.series('eventAge', destinationLabels);
    this.pipelineAge = store.series('pipelineAge', destinationLabels);
    this.batchSize = batch ? store.series('batchSize', destinationLabels) : undefined;
    this.attribution = createAttributionTarget(store, destinationLabels, slowThresholdMs);
    // Present at 0 from the moment the destination is known (at wrap time for a fixed one): a
    // counter that first appears at 1 is invisible to increase(), so the first dead letter would
    // never alert. The adapters' settle targets record into this same series.
    store.series('deadLetteredEvents', destinationLabels);
  }

  protected failureSeries(errorType: string): FailureSeries {
    const labels = { ...this.labels, [attributes.errorType]: errorType };
    return {
      duration: this.store.series('processDuration', labels),
      consumed: this.store.series('consumedMessages', labels),
    };
  }

  clockSkewed(): void {
    this.clockSkew ??= this.store.series('clockSkewEvents', {
      [attributes.system]: this.identity.system,
      [attributes.destination]: this.identity.destination,
    });
    this.clockSkew.add(1);
  }
}
