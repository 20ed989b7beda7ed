/**
 * The GC pauses that have arrived from the observer, in a preallocated ring on the
 * `performance.now()` timeline: what attribution overlaps finished events with, and what a slow
 * event's report breaks down by kind.
 */

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

/** Keep one pause; `kind` indexes `gcKinds`. Pauses are added in the order the runtime reports them. */
export function addGcPause(startMs: number, endMs: number, kind: number): void {
  const slot = gcCount & GC_MASK;
  gcCount++;
  gcStart[slot] = startMs;
  gcEnd[slot] = endMs;
  gcKindOf[slot] = kind;
  if (endMs > latestGcEnd) latestGcEnd = endMs;
  gcEndSoFar[slot] = latestGcEnd;
}

/** When the latest pause that has arrived ended: an event that starts after it overlaps none. */
export function latestGcPauseEnd(): number {
  return latestGcEnd;
}

/** GC ms of the arrived pauses overlapping [startMs, endMs]. */
export function arrivedGcOverlap(startMs: number, endMs: number): number {
  let total = 0;
  const oldest = Math.max(0, gcCount - GC_RING);
  for (let n = gcCount - 1; n >= oldest; n--) {
    const k = n & GC_MASK;
    if (gcEndSoFar[k]! <= startMs) break; // this pause and every older one ended before the event
    const overlap = Math.min(gcEnd[k]!, endMs) - Math.max(gcStart[k]!, startMs);
    if (overlap > 0) total += overlap;
  }
  return total;
}

/** GC ms by kind (indexes of `gcKinds`) overlapping [startMs, endMs], into `out`; returns the total. */
export function gcOverlapByKind(startMs: number, endMs: number, out: Float64Array): number {
  out.fill(0);
  let total = 0;
  const oldest = Math.max(0, gcCount - GC_RING);
  for (let n = gcCount - 1; n >= oldest; n--) {
    const k = n & GC_MASK;
    if (gcEndSoFar[k]! <= startMs) break;
    const overlap = Math.min(gcEnd[k]!, endMs) - Math.max(gcStart[k]!, startMs);
    if (overlap > 0) {
      const kind = gcKindOf[k]!;
      out[kind] = out[kind]! + overlap;
      total += overlap;
    }
  }
  return total;
}

/** Forget every pause (tests; a restarted runtime). */
export function resetGcPauses(): void {
  gcCount = 0;
  latestGcEnd = Number.NEGATIVE_INFINITY;
}
