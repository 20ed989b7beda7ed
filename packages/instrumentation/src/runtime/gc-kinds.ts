import { constants } from 'node:perf_hooks';

/** GC kinds as `v8js.gc.type` names them; rings and per-kind arrays use their index. */
export const gcKinds = ['major', 'minor', 'incremental', 'weakcb'] as const;
export type GcKind = (typeof gcKinds)[number];

/** Index into `gcKinds` of a GC entry's `detail.kind` (perf_hooks `NODE_PERFORMANCE_GC_*`). */
export function gcKindIndex(kind: number | undefined): number {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return 1;
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return 2;
    case constants.NODE_PERFORMANCE_GC_WEAKCB:
      return 3;
    default:
      // NODE_PERFORMANCE_GC_MAJOR, and anything a future runtime adds: a full collection.
      return 0;
  }
}
