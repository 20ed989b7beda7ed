import { constants } from 'node:perf_hooks';
import { attributes, attributeValues } from '@eventscope/catalog';

/** GC kinds as `v8js.gc.type` names them (the catalog's values); rings and per-kind arrays use their index. */
export const gcKinds = attributeValues[attributes.gcType];
export type GcKind = (typeof gcKinds)[number];

const MAJOR = gcKinds.indexOf('major');
const MINOR = gcKinds.indexOf('minor');
const INCREMENTAL = gcKinds.indexOf('incremental');
const WEAKCB = gcKinds.indexOf('weakcb');

/** Index into `gcKinds` of a GC entry's `detail.kind` (perf_hooks `NODE_PERFORMANCE_GC_*`). */
export function gcKindIndex(kind: number | undefined): number {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return MINOR;
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return INCREMENTAL;
    case constants.NODE_PERFORMANCE_GC_WEAKCB:
      return WEAKCB;
    default:
      // NODE_PERFORMANCE_GC_MAJOR, and anything a future runtime adds: a full collection.
      return MAJOR;
  }
}
