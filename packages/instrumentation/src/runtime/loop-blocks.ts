import type { HistogramSeries } from '../store.js';

/**
 * When was the event loop blocked? `monitorEventLoopDelay` gives a histogram, not a timeline, so
 * attribution keeps its own coarse lag sampler: an unref'd interval timer that notes, whenever it
 * fires late, the stretch [when it was due, when it ran] during which the loop could not run
 * timers. Slow events overlap these stretches the way they overlap GC pauses.
 *
 * The stretch is a lower bound: the blocking began somewhere between the previous tick and the
 * due time, so up to one sampling interval of it is missed. That is the resolution of the
 * `event_loop` cause, and small against the slow-event thresholds it serves (100 ms by default).
 *
 * Every tick's lateness (how long after its due time it ran, 0 when on time) is also the sample of
 * the event-loop delay histogram of each store running runtime signals: the timer's interval is
 * subtracted, so an idle loop reads its real jitter, well under a millisecond.
 */

const BLOCK_RING = 256; // a power of two
const BLOCK_MASK = BLOCK_RING - 1;
const blockStart = new Float64Array(BLOCK_RING);
const blockEnd = new Float64Array(BLOCK_RING);
let blockCount = 0;

/** Lateness below this is timer jitter, not a blocked loop. */
const MIN_BLOCK_MS = 3;

let timer: NodeJS.Timeout | undefined;
let intervalMs = 10;
let lastTick = 0;

/** The stores' event-loop delay histograms each tick's lateness is recorded into. */
const delaySinks = new Set<HistogramSeries>();

function tick(): void {
  const now = performance.now();
  const due = lastTick + intervalMs;
  const late = now - due;
  if (late >= MIN_BLOCK_MS) recordLoopBlock(due, now);
  lastTick = now;
  const seconds = late > 0 ? late / 1000 : 0;
  for (const sink of delaySinks) sink.observe(seconds);
}

/** Record every tick's lateness (s) into this histogram from now on. */
export function addLoopDelaySink(series: HistogramSeries): void {
  delaySinks.add(series);
}

export function removeLoopDelaySink(series: HistogramSeries): void {
  delaySinks.delete(series);
}

/** Start sampling (idempotent). */
export function startLoopBlockSampler(sampleIntervalMs = 10): void {
  if (timer) return;
  intervalMs = sampleIntervalMs;
  lastTick = performance.now();
  timer = setInterval(tick, intervalMs);
  timer.unref();
}

export function stopLoopBlockSampler(): void {
  if (timer) clearInterval(timer);
  timer = undefined;
}

/** Note that the loop was blocked during [startMs, endMs] (performance.now() ms). */
export function recordLoopBlock(startMs: number, endMs: number): void {
  const slot = blockCount & BLOCK_MASK;
  blockCount++;
  blockStart[slot] = startMs;
  blockEnd[slot] = endMs;
}

/** Blocked-loop ms overlapping [startMs, endMs]. */
export function loopBlockedOverlap(startMs: number, endMs: number): number {
  let total = 0;
  const oldest = Math.max(0, blockCount - BLOCK_RING);
  for (let n = blockCount - 1; n >= oldest; n--) {
    const k = n & BLOCK_MASK;
    const e = blockEnd[k]!;
    if (e <= startMs) break; // stretches are recorded in order
    const overlap = Math.min(e, endMs) - Math.max(blockStart[k]!, startMs);
    if (overlap > 0) total += overlap;
  }
  return total;
}

/** Forget every stretch (tests). */
export function resetLoopBlocks(): void {
  blockCount = 0;
}
