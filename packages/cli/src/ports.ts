import { createServer } from 'node:net';
import { UnavailableError, UsageError } from './errors.js';

/** A port the CLI is about to listen on, and the flag that changes it. */
export interface WantedPort {
  /** What listens there: "Prometheus", "the webhook receiver". */
  what: string;
  port: number;
  flag: string;
}

type Bind = { ok: true; port: number } | { ok: false; code: string };

/** Listen on host:port and let go at once: the port is free if that works (0 picks a free one). */
function tryBind(port: number, host: string): Promise<Bind> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: error.code ?? error.message }),
    );
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve({ ok: true, port: bound }));
    });
  });
}

/**
 * Check, before anything starts, that every port is free on `host`; a port given as 0 becomes a
 * free one. A taken port is exit 3, naming the port, what wanted it and the flag to change it;
 * the same port twice is exit 2.
 */
export async function claimPorts<K extends string>(
  wanted: Record<K, WantedPort>,
  host = '127.0.0.1',
): Promise<Record<K, number>> {
  const entries = Object.entries(wanted) as [K, WantedPort][];
  const fixed = entries.filter(([, w]) => w.port !== 0);
  for (const [i, [, a]] of fixed.entries()) {
    const twin = fixed.slice(i + 1).find(([, b]) => b.port === a.port)?.[1];
    if (twin) throw new UsageError(`${a.flag} and ${twin.flag} are both ${a.port}; give each its own port`);
  }
  const taken: string[] = [];
  const chosen = {} as Record<K, number>;
  for (const [key, w] of entries) {
    const result = await tryBind(w.port, host);
    if (result.ok) chosen[key] = result.port;
    else {
      const reason =
        result.code === 'EADDRINUSE' ? 'is in use by another process' : `cannot be used (${result.code})`;
      taken.push(`${host}:${w.port} for ${w.what} ${reason}; pass ${w.flag} with a free port`);
    }
  }
  // Ports picked for 0 were free one at a time; make sure no two picks coincide.
  const values = Object.values(chosen) as number[];
  if (new Set(values).size !== values.length) return claimPorts(wanted, host);
  if (taken.length) throw new UnavailableError(taken.join('\n'));
  return chosen;
}
