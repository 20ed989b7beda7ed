import { hostname } from 'node:os';

/** What slow-event lines are written to: a pino logger (anything with `warn(obj, msg)`). */
export interface PinoLike {
  warn(obj: object, msg?: string): void;
}

/**
 * The slow-event logger when the application passes none: one JSON line per call on stderr, in
 * pino's shape (`level` 40 for warn, `time`, `pid`, `hostname`, `name`, the fields, `msg`), so
 * pino-pretty and log pipelines that read pino read these lines too — without pino being a
 * dependency. The caller rate-limits; this only writes.
 */
export function stderrJsonLogger(name: string): PinoLike {
  // Written once: the part of every line that never changes.
  const fixed = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())},"name":${JSON.stringify(name)}`;
  return {
    warn(obj: object, msg?: string): void {
      const fields = JSON.stringify(obj);
      const body = fields.length > 2 ? `,${fields.slice(1, -1)}` : '';
      const message = msg === undefined ? '' : `,"msg":${JSON.stringify(msg)}`;
      process.stderr.write(`{"level":40,"time":${Date.now()}${fixed}${body}${message}}\n`);
    },
  };
}
