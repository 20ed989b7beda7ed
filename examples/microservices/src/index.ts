export { type Registration, registerTarget } from './discovery.js';
export {
  type Role,
  type RunningService,
  roles,
  type ServiceOptions,
  startService,
  subjects,
} from './service.js';
export { SpanFileExporter, type SpanRecord } from './span-file.js';
