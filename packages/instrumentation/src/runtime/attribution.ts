import { attributes } from '@eventscope/catalog';
import type { CounterSeries, LabelValues, SignalStore } from '../store.js';
import { holdSlowEvent } from './slow-events.js';

export { type GcKind, gcKinds } from './gc-kinds.js';

/**
 * Per-event GC attribution.
 *
 * GC performance entries carry `startTime` and `duration` on the same `performance.now()` timeline
 * as the wrappers' clock reads, but they arrive after the fact, asynchronously (a native immediate,
 * then the observer's own immediate). So the wrappers leave a trace of every finished event in a
 * preallocated ring (two float writes and a reference), and GC pauses are kept in a second ring.
 * Each (event, pause) pair is overlapped exactly once, by whichever of the two arrives second:
 *
 * - a pause that arrives after the event finished is overlapped with the event ring;
 * - an event that finishes after the pause arrived (an async handler awaiting across a GC) is
 *   overlapped with the pause ring.
 *
 * The overlap is summed per target into `eventscope.gc.overlap.duration`; divided by the processing
 * duration sum it is the share of handler time spent in GC pauses. Concurrent events each count a
 * pause they all sat through, because each of them was delayed by it.
 *
 * Limits: a pause is overlapped with at most the last EVENT_RING events that had finished when it
 * arrived. A synchronous loop that runs more events than that without yielding loses the overlap of
 * its oldest events; the observer cannot deliver entries before the loop yields.
 */

export interface AttributionTarget {
  readonly system: string;
  readonly destination: string;
  /** `store.series('gcOverlap', { system, destination, consumerGroup })`, in seconds. */
  readonly gcOverlap: CounterSeries;
  readonly slowByCause: { gc: CounterSeries; event_loop: CounterSeries; handler: CounterSeries };
  /** Events at least this long (ms) are reported as slow; 0 disables slow-event reporting. */
  readonly slowThresholdMs: number;
}

/** Resolve the series an event's attribution records into, once per (handler, destination). */
export function createAttributionTarget(
  store: SignalStore,
  labels: LabelValues,
  slowThresholdMs: number,
): AttributionTarget {
  const base = {
    [attributes.system]: labels[attributes.system],
    [attributes.destination]: labels[attributes.destination],
    [attributes.consumerGroup]: labels[attributes.consumerGroup],
  };
  const slow = (cause: string) => store.series('slowEvents', { ...base, [attributes.slowCause]: cause });
  const threshold = Number.isFinite(slowThresholdMs) && slowThresholdMs > 0 ? slowThresholdMs : 0;
  return Object.freeze({
    system: base[attributes.system] ?? '',
    destination: base[attributes.destination] ?? '',
    gcOverlap: store.series('gcOverlap', base),
    slowByCause: Object.freeze({ gc: slow('gc'), event_loop: slow('event_loop'), handler: slow('handler') }),
    slowThresholdMs: threshold,
  });
}

// --- the event ring ------------------------------------------------------------------------------

const EVENT_RING = 8192; // a power of two
const EVENT_MASK = EVENT_RING - 1;
const eventStart = new Float64Array(EVENT_RING);
const eventEnd = new Float64Array(EVENT_RING);
const eventTarget = new Array<AttributionTarget | undefined>(EVENT_RING).fill(undefined);
/** Events written so far; the next slot is `eventCount & EVENT_MASK`. */
let eventCount = 0;

// --- the pause ring ------------------------------------------------------------------------------

const GC_RING = 1024; // a power of two
const GC_MASK = GC_RING - 1;
const gcStart = new Float64Array(GC_RING);
const gcEnd = new Float64Array(GC_RING);
const gcKindOf = new Uint8Array(GC_RING);
/**
 * The latest end of this pause and every older one. Pauses do not overlap on the main thread, but
 * should a runtime ever report one inside another, scans still stop only when nothing older can
 * reach the interval.
 */
const gcEndSoFar = new Float64Array(GC_RING);
let gcCount = 0;
/** The latest end of any pause that has arrived: an event starting after it overlaps none. */
let latestGcEnd = Number.NEGATIVE_INFINITY;

/**
 * Called by the wrappers once per finished event; times are performance.now() ms. O(1), no
 * allocation, unless the event is slow or started before the latest GC pause that has arrived.
 *
 * `syncEndMs` (optional) is when the handler's synchronous part returned (for an async handler,
 * when it returned its promise). Loop-blocked time after it counts toward the `event_loop` cause;
 * before it the event was running its own code. Absent, the whole event counts as its own work.
 */
export function recordEventInterval(
  target: AttributionTarget,
  startMs: number,
  endMs: number,
  traceId: string | undefined,
  syncEndMs?: number,
): void {
  if (!(endMs >= startMs)) return; // NaN or a clock that went backwards: nothing to attribute
  const slot = eventCount & EVENT_MASK;
  eventCount++;
  eventStart[slot] = startMs;
  eventEnd[slot] = endMs;
  eventTarget[slot] = target;
  if (startMs < latestGcEnd) target.gcOverlap.add(overlapArrivedPauses(startMs, endMs) / 1000);
  if (target.slowThresholdMs > 0 && endMs - startMs >= target.slowThresholdMs) {
    holdSlowEvent(target, startMs, endMs, syncEndMs ?? endMs, traceId);
  }
}

/** GC ms of the arrived pauses overlapping [startMs, endMs]. */
function overlapArrivedPauses(startMs: number, endMs: number): number {
  let total = 0;
  const oldest = Math.max(0, gcCount - GC_RING);
  for (let n = gcCount - 1; n >= oldest; n--) {
    const k = n & GC_MASK;
    if (gcEndSoFar[k]! <= startMs) break; // this pause and every older one ended before the event
    const e = gcEnd[k]!;
    const overlap = Math.min(e, endMs) - Math.max(gcStart[k]!, startMs);
    if (overlap > 0) total += overlap;
  }
  return total;
}

/** Called for every GC entry, in the order the runtime reports them; `kind` indexes `gcKinds`. */
export function recordGcPause(startMs: number, durationMs: number, kind: number): void {
  if (!(durationMs >= 0)) return;
  const endMs = startMs + durationMs;
  const slot = gcCount & GC_MASK;
  gcCount++;
  gcStart[slot] = startMs;
  gcEnd[slot] = endMs;
  gcKindOf[slot] = kind;
  if (endMs > latestGcEnd) latestGcEnd = endMs;
  gcEndSoFar[slot] = latestGcEnd;
  // Events that finished before this pause arrived: the newest first, back to the first that ended
  // before the pause began (the ring is in order of finishing).
  const oldest = Math.max(0, eventCount - EVENT_RING);
  for (let n = eventCount - 1; n >= oldest; n--) {
    const i = n & EVENT_MASK;
    const e = eventEnd[i]!;
    if (e <= startMs) break;
    const overlap = Math.min(e, endMs) - Math.max(eventStart[i]!, startMs);
    if (overlap > 0) eventTarget[i]!.gcOverlap.add(overlap / 1000);
  }
}

/** GC ms by kind (indexes of `gcKinds`) overlapping [startMs, endMs], into `out`; returns the total. */
export function gcOverlapByKind(startMs: number, endMs: number, out: Float64Array): number {
  out.fill(0);
  let total = 0;
  const oldest = Math.max(0, gcCount - GC_RING);
  for (let n = gcCount - 1; n >= oldest; n--) {
    const k = n & GC_MASK;
    if (gcEndSoFar[k]! <= startMs) break;
    const e = gcEnd[k]!;
    const overlap = Math.min(e, endMs) - Math.max(gcStart[k]!, startMs);
    if (overlap > 0) {
      const kind = gcKindOf[k]!;
      out[kind] = out[kind]! + overlap;
      total += overlap;
    }
  }
  return total;
}

/** Forget every event and pause (tests; a restarted runtime). */
export function resetAttribution(): void {
  eventCount = 0;
  gcCount = 0;
  latestGcEnd = Number.NEGATIVE_INFINITY;
  eventTarget.fill(undefined);
}
