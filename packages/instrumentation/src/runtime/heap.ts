import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { attributes } from '@eventscope/catalog';
import type { GaugeSeries, SignalStore } from '../store.js';

/**
 * Heap and process memory, sampled when the store is collected (a scrape, an OTel export), so
 * nothing runs between scrapes: per V8 heap space the bytes used and the space's size, the heap
 * size limit, RSS, and the process start time.
 */
export function sampleHeap(store: SignalStore): () => void {
  const used = new Map<string, GaugeSeries>();
  const size = new Map<string, GaugeSeries>();
  const limit = store.series('heapSizeLimit');
  const rss = store.series('memoryRss');
  store.series('processStartTime').set(processStartTimeSeconds());
  return () => {
    for (const space of getHeapSpaceStatistics()) {
      const name = space.space_name;
      let u = used.get(name);
      if (!u) used.set(name, (u = store.series('heapUsed', { [attributes.heapSpace]: name })));
      let s = size.get(name);
      if (!s) size.set(name, (s = store.series('heapSpaceSize', { [attributes.heapSpace]: name })));
      u.set(space.space_used_size);
      s.set(space.space_size);
    }
    limit.set(getHeapStatistics().heap_size_limit);
    rss.set(process.memoryUsage.rss());
  };
}

/** Unix time (s) the process started: now minus its uptime, read once. */
function processStartTimeSeconds(): number {
  return Math.round((Date.now() / 1000 - process.uptime()) * 1000) / 1000;
}
