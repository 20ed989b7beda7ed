import { attributes, type attributeValues } from '@eventscope/catalog';
import type { SpanKind } from '@opentelemetry/api';
import type { CounterSeries, SignalStore } from './store.js';
import { type SpanTemplate, spanTemplate } from './tracing.js';

/** What can go wrong with an event's headers (`eventscope.propagation.error`, a catalog value). */
export type PropagationError = (typeof attributeValues)[typeof attributes.propagationError][number];
/** `messaging.operation.type` (a catalog value). */
type OperationType = (typeof attributeValues)[typeof attributes.operationType][number];

/** Who records: one producer or consumer operation on one destination. */
export interface SeriesIdentity {
  readonly system: string;
  readonly destination: string;
  readonly operationName: string;
  /** `messaging.consumer.group.name`; consumers only, '' for none. */
  readonly consumerGroup?: string;
}

/**
 * What the series of one producer and of one consumer destination have in common, resolved once:
 * whether they are the overflow destination (and the counter of events recorded into it), the
 * span template, and the series that only failures and bad headers need, made on first use and
 * cached here.
 */
export abstract class DestinationSeries<Failure> {
  readonly overflow: boolean;
  /** `eventscope.label.overflow`, counted per event recorded into the overflow destination. */
  readonly labelOverflow: CounterSeries | undefined;
  readonly span: SpanTemplate;
  private readonly failures = new Map<string, Failure>();
  private readonly propagation = new Map<PropagationError, CounterSeries>();

  constructor(
    protected readonly store: SignalStore,
    protected readonly identity: SeriesIdentity,
    overflow: boolean,
    spanKind: SpanKind,
    operationType: OperationType & ('send' | 'process'),
  ) {
    this.overflow = overflow;
    this.labelOverflow = overflow
      ? store.series('labelOverflow', { [attributes.system]: identity.system })
      : undefined;
    const spanAttributes: Record<string, string> = {
      [attributes.system]: identity.system,
      [attributes.operationName]: identity.operationName,
      [attributes.operationType]: operationType,
    };
    if (identity.destination !== '') spanAttributes[attributes.destination] = identity.destination;
    if (identity.consumerGroup) spanAttributes[attributes.consumerGroup] = identity.consumerGroup;
    this.span = spanTemplate(spanKind, identity.operationName, spanAttributes);
  }

  /** The series of failed calls with one `error.type`. */
  failure(errorType: string): Failure {
    let series = this.failures.get(errorType);
    if (series === undefined) {
      series = this.failureSeries(errorType);
      this.failures.set(errorType, series);
    }
    return series;
  }

  protected abstract failureSeries(errorType: string): Failure;

  /** Count one event whose headers could not be read or written (`kind` says what was wrong). */
  propagationError(kind: PropagationError): void {
    let series = this.propagation.get(kind);
    if (series === undefined) {
      series = this.store.series('propagationErrors', {
        [attributes.system]: this.identity.system,
        [attributes.destination]: this.identity.destination,
        [attributes.propagationError]: kind,
      });
      this.propagation.set(kind, series);
    }
    series.add(1);
  }
}
