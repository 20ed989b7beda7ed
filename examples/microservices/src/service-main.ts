#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type Role, roles, startService } from './service.js';

/**
 * One service process:
 *   node dist/service-main.js --role ingest|enrich|store [--nats nats://127.0.0.1:4222]
 *     [--port 0] [--discovery DIR] [--spans FILE] [--rate 20] [--name NAME]
 * Prints one JSON line when ready (`{"ready":true,...}`) and stops cleanly on SIGTERM or SIGINT.
 */
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
    port: { type: 'string', default: '0' },
    discovery: { type: 'string' },
    spans: { type: 'string' },
    rate: { type: 'string', default: '20' },
    name: { type: 'string' },
  },
});
if (!roles.includes(values.role as Role)) {
  process.stderr.write(`--role must be one of ${roles.join(', ')}\n`);
  process.exit(2);
}
const service = await startService({
  role: values.role as Role,
  natsUrl: values.nats,
  port: Number(values.port),
  rate: Number(values.rate),
  ...(values.discovery ? { discoveryDir: values.discovery } : {}),
  ...(values.spans ? { spanFile: values.spans } : {}),
  ...(values.name ? { name: values.name } : {}),
});
process.stdout.write(
  `${JSON.stringify({ ready: true, role: service.role, pid: process.pid, metricsUrl: service.metricsUrl, registeredAt: service.registration?.registeredAt })}\n`,
);
const stop = async () => {
  await service.stop();
  if (service.role === 'store')
    process.stdout.write(`${JSON.stringify({ stopped: true, ...service.stored() })}\n`);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
