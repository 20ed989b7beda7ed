import type { AttributionTarget } from './attribution-target.js';
import { addGcPause, arrivedGcOverlap, latestGcPauseEnd, resetGcPauses } from './gc-pauses.js';
import { holdSlowEvent } from './slow-events.js';

/**
 * Per-event GC attribution.
 *
 * GC performance entries carry `startTime` and `duration` on the same `performance.now()` timeline
 * as the wrappers' clock reads, but they arrive after the fact, asynchronously (a native immediate,
 * then the observer's own immediate). So the wrappers leave a trace of every finished event in a
 * preallocated ring (two float writes and a reference), and GC pauses are kept in a second ring
 * (gc-pauses.ts). Each (event, pause) pair is overlapped exactly once, by whichever of the two
 * arrives second:
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

const EVENT_RING = 8192; // a power of two
const EVENT_MASK = EVENT_RING - 1;
const eventStart = new Float64Array(EVENT_RING);
const eventEnd = new Float64Array(EVENT_RING);
const eventTarget = new Array<AttributionTarget | undefined>(EVENT_RING).fill(undefined);
/** Events written so far; the next slot is `eventCount & EVENT_MASK`. */
let eventCount = 0;

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
  // Checked here rather than in arrivedGcOverlap: the usual event, after every pause, makes no call.
  if (startMs < latestGcPauseEnd()) target.gcOverlap.add(arrivedGcOverlap(startMs, endMs) / 1000);
  if (target.slowThresholdMs > 0 && endMs - startMs >= target.slowThresholdMs) {
    holdSlowEvent(target, startMs, endMs, syncEndMs ?? endMs, traceId);
  }
}

/**
 * Called for every GC entry, in the order the runtime reports them; `kind` indexes `gcKinds`. The
 * pause is kept for events still running, and overlapped now with the events that already finished.
 */
export function recordGcPause(startMs: number, durationMs: number, kind: number): void {
  if (!(durationMs >= 0)) return;
  const endMs = startMs + durationMs;
  addGcPause(startMs, endMs, kind);
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

/** Forget every event and pause (tests; a restarted runtime). */
export function resetAttribution(): void {
  eventCount = 0;
  eventTarget.fill(undefined);
  resetGcPauses();
}
