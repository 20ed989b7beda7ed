import type { SignalDefinition } from './signals.js';

/**
 * Where eventscope's series meet other instrumentations' series, and how a renamed semantic
 * convention moves from one name to the next without breaking a dashboard overnight.
 */

/**
 * The OpenTelemetry instrumentation scope of eventscope's metrics: the instrumentation package's
 * name. The OpenTelemetry `MetricProducer` reports its series under it, and the otel-flavor
 * queries select it, because other instrumentations (`@opentelemetry/instrumentation-runtime-node`,
 * on by default in `@opentelemetry/auto-instrumentations-node`) report series of the same families.
 */
export const INSTRUMENTATION_SCOPE = '@eventscope/instrumentation';

/**
 * The label `@opentelemetry/exporter-prometheus` writes the scope name into: the `otel.scope.name`
 * attribute, sanitized (0.301 writes it on every series unless `withoutScopeInfo` is set).
 */
export const SCOPE_LABEL = 'otel_scope_name';

/** The environment variable OpenTelemetry instrumentations read a convention migration from. */
export const SEMCONV_OPT_IN_ENV = 'OTEL_SEMCONV_STABILITY_OPT_IN';

/** Which names a renamed signal is emitted under: the old one, both, or the new one. */
export type SemconvEmission = 'old' | 'dup' | 'new';
export const semconvEmissions: readonly SemconvEmission[] = ['old', 'dup', 'new'];

/** Which name of a renamed signal the generated queries select. */
export type SemconvNames = 'old' | 'new';
export const semconvNameChoices: readonly SemconvNames[] = ['old', 'new'];

/**
 * What a comma-separated opt-in list (`OTEL_SEMCONV_STABILITY_OPT_IN`) asks of one token, read as
 * `@opentelemetry/instrumentation`'s `semconvStabilityFromStr` reads it: `<token>/dup` (both
 * names) wins over `<token>` (new name only); without either, the old name only. Case-insensitive.
 */
export function semconvEmission(optIn: string | undefined, token: string): SemconvEmission {
  let emission: SemconvEmission = 'old';
  const wanted = token.toLowerCase();
  for (const entry of (optIn ?? '').split(',')) {
    const value = entry.trim().toLowerCase();
    if (value === `${wanted}/dup`) return 'dup';
    if (value === wanted) emission = 'new';
  }
  return emission;
}

const successors = new WeakMap<SignalDefinition, SignalDefinition>();

/** The signal under its successor's name (same key, labels and meaning), or the signal itself. */
export function successorDefinition(signal: SignalDefinition): SignalDefinition {
  if (!signal.successor) return signal;
  let renamed = successors.get(signal);
  if (!renamed) {
    const { successor, ...rest } = signal;
    renamed = Object.freeze({ ...rest, name: successor.name });
    successors.set(signal, renamed);
  }
  return renamed;
}

/** Every definition a signal is emitted under for an opt-in list: itself, its successor, or both (old first). */
export function emittedDefinitions(
  signal: SignalDefinition,
  optIn: string | undefined,
): readonly SignalDefinition[] {
  if (!signal.successor) return [signal];
  const emission = semconvEmission(optIn, signal.successor.optIn);
  if (emission === 'old') return [signal];
  if (emission === 'new') return [successorDefinition(signal)];
  return [signal, successorDefinition(signal)];
}

/** The definition the queries select: under the successor's name with `new`, else the signal itself. */
export function definitionUnder(signal: SignalDefinition, names: SemconvNames): SignalDefinition {
  return names === 'new' ? successorDefinition(signal) : signal;
}
