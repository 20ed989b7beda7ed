import { getHeapStatistics } from 'node:v8';
import { reportFault } from '../faults.js';
import type { AttributionTarget, SlowCause } from './attribution-target.js';
import { gcKinds } from './gc-kinds.js';
import { gcOverlapByKind } from './gc-pauses.js';
import { loopBlockedOverlap } from './loop-blocks.js';
import { type PinoLike, stderrJsonLogger } from './stderr-logger.js';

export type { PinoLike };

/**
 * Slow events: each event over its target's threshold is held until its GC overlap is known, then
 * counted once by dominant cause and logged as one pino line.
 *
 * GC entries reach the observer one or two loop turns after the pause (a native immediate, then
 * the observer's immediate). An event is therefore reported `settleMs` after it finished, from a
 * timer that hops through two more immediates so that entries queued before it are dispatched first.
 *
 * The dominant cause is the largest of three shares of the event's duration:
 * - gc: GC pause time overlapping the event;
 * - event_loop: time the loop was blocked (lag sampler, see loop-blocks.ts) after the handler's
 *   synchronous part returned, minus the GC pauses in that stretch (a pause blocks the loop too).
 *   Only an event that was waiting — an async handler whose continuation could not run — can be
 *   held up by a blocked loop; while its own synchronous code runs, a blocked loop is its own work;
 * - handler: the rest, the handler's own work and what it awaited.
 */

export interface SlowEventSettings {
  /** Where lines go. Default: JSON lines in pino's shape on stderr (name `eventscope`); `false` for none. */
  logger?: PinoLike | false;
  /** At most this many lines per second; events past it are counted, not logged. Default 10. */
  logsPerSecond?: number;
  /** How long after it finished an event is reported, so its GC entries have arrived. Default 100 ms. */
  settleMs?: number;
}

interface HeldEvent {
  readonly target: AttributionTarget;
  readonly startMs: number;
  readonly endMs: number;
  readonly syncEndMs: number;
  readonly traceId: string | undefined;
  readonly dueMs: number;
}

/** Past this many held events the oldest is reported at once, so a flood of slow events stays bounded. */
const MAX_HELD = 1024;

const held: HeldEvent[] = [];
let timer: NodeJS.Timeout | undefined;
let immediate: NodeJS.Immediate | undefined;

let configuredLogger: PinoLike | false | undefined;
let defaultLogger: PinoLike | undefined;
let logsPerSecond = 10;
let settleMs = 100;
let tokens = logsPerSecond;
let lastRefillMs = 0;
let suppressed = 0;

export function configureSlowEvents(settings: SlowEventSettings): void {
  if (settings.logger !== undefined) configuredLogger = settings.logger;
  if (settings.logsPerSecond !== undefined && settings.logsPerSecond >= 0) {
    logsPerSecond = settings.logsPerSecond;
    tokens = Math.min(tokens, logsPerSecond);
  }
  if (settings.settleMs !== undefined && settings.settleMs >= 0) settleMs = settings.settleMs;
}

/** Called by attribution for an event over its threshold. */
export function holdSlowEvent(
  target: AttributionTarget,
  startMs: number,
  endMs: number,
  syncEndMs: number,
  traceId: string | undefined,
): void {
  if (held.length >= MAX_HELD) report(held.shift()!);
  held.push({
    target,
    startMs,
    endMs,
    syncEndMs: Math.min(Math.max(syncEndMs, startMs), endMs),
    traceId,
    dueMs: performance.now() + settleMs,
  });
  schedule();
}

function schedule(): void {
  if (timer || immediate || held.length === 0) return;
  const wait = Math.max(0, held[0]!.dueMs - performance.now());
  timer = setTimeout(afterSettle, wait);
  timer.unref();
}

function afterSettle(): void {
  timer = undefined;
  immediate = setImmediate(() => {
    immediate = setImmediate(reportDue);
    immediate.unref();
  });
  immediate.unref();
}

function reportDue(): void {
  immediate = undefined;
  const now = performance.now();
  while (held.length > 0 && held[0]!.dueMs <= now) report(held.shift()!);
  schedule();
}

/** Report every held event now, with what is known (stop; tests). */
export function flushSlowEvents(): void {
  if (timer) clearTimeout(timer);
  if (immediate) clearImmediate(immediate);
  timer = undefined;
  immediate = undefined;
  while (held.length > 0) report(held.shift()!);
}

const gcByKind = new Float64Array(gcKinds.length);
const gcAfterSyncByKind = new Float64Array(gcKinds.length);

/** The dominant cause of a slow event and the shares it was decided on (ms). */
export interface SlowEventVerdict {
  cause: SlowCause;
  durationMs: number;
  gcMs: number;
  loopMs: number;
  handlerMs: number;
}

export function judge(startMs: number, endMs: number, syncEndMs: number): SlowEventVerdict {
  const durationMs = endMs - startMs;
  const gcMs = gcOverlapByKind(startMs, endMs, gcByKind);
  let loopMs = 0;
  if (syncEndMs < endMs) {
    const blocked = loopBlockedOverlap(syncEndMs, endMs);
    loopMs = Math.max(0, blocked - gcOverlapByKind(syncEndMs, endMs, gcAfterSyncByKind));
  }
  const handlerMs = Math.max(0, durationMs - gcMs - loopMs);
  let cause: SlowCause = 'handler';
  if (gcMs > handlerMs && gcMs >= loopMs) cause = 'gc';
  else if (loopMs > handlerMs && loopMs > gcMs) cause = 'event_loop';
  return { cause, durationMs, gcMs, loopMs, handlerMs };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function report(event: HeldEvent): void {
  const verdict = judge(event.startMs, event.endMs, event.syncEndMs);
  event.target.slowByCause[verdict.cause].add(1);
  if (!takeLogToken()) return;
  try {
    const logger = resolveLogger();
    if (!logger) return;
    const heap = getHeapStatistics();
    const gcByType: Record<string, number> = {};
    for (let k = 0; k < gcKinds.length; k++) gcByType[gcKinds[k]!] = round(gcByKind[k]!);
    const line: Record<string, unknown> = {
      trace_id: event.traceId, // the field the trace mixin writes, so one query finds both
      system: event.target.system,
      destination: event.target.destination,
      durationMs: round(verdict.durationMs),
      cause: verdict.cause,
      gcMs: round(verdict.gcMs),
      gcByType,
      loopDelayMs: round(loopBlockedOverlap(event.startMs, event.endMs)),
      heapUsedBytes: heap.used_heap_size,
      heapLimitBytes: heap.heap_size_limit,
    };
    if (suppressed > 0) line.suppressed = suppressed;
    suppressed = 0;
    logger.warn(line, 'eventscope: slow event');
  } catch (error) {
    reportFault('slow-events', error);
  }
}

function takeLogToken(): boolean {
  const now = performance.now();
  tokens = Math.min(logsPerSecond, tokens + ((now - lastRefillMs) / 1000) * logsPerSecond);
  lastRefillMs = now;
  if (tokens >= 1) {
    tokens -= 1;
    return true;
  }
  suppressed++;
  return false;
}

function resolveLogger(): PinoLike | undefined {
  if (configuredLogger === false) return undefined;
  if (configuredLogger) return configuredLogger;
  defaultLogger ??= stderrJsonLogger('eventscope');
  return defaultLogger;
}
