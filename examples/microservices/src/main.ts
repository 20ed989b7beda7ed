#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { roles } from './service.js';

/**
 * The whole pipeline with one command: ingest, enrich and store as three processes on the NATS
 * server at $NATS_URL (default nats://127.0.0.1:4222), registering themselves in ./file_sd for
 * Prometheus:
 *
 *   scrape_configs:
 *     - job_name: eventscope-microservices
 *       file_sd_configs: [{ files: ['<this folder>/file_sd/*.json'] }]
 */
const discovery = resolve(process.env.EVENTSCOPE_DISCOVERY_DIR ?? 'file_sd');
mkdirSync(discovery, { recursive: true });
const serviceMain = fileURLToPath(new URL('./service-main.js', import.meta.url));
const children = roles.map((role) => {
  const child = spawn(
    process.execPath,
    [
      serviceMain,
      '--role',
      role,
      '--discovery',
      discovery,
      '--nats',
      process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().trim().split('\n')) {
      try {
        const ready = JSON.parse(line) as { role: string; metricsUrl: string };
        process.stdout.write(`${ready.role.padEnd(7)} ${ready.metricsUrl}\n`);
      } catch {
        process.stdout.write(`${role}: ${line}\n`);
      }
    }
  });
  child.once('exit', (code) => {
    if (code)
      process.stderr.write(
        `${role} exited with ${code}; is NATS running at ${process.env.NATS_URL ?? 'nats://127.0.0.1:4222'}?\n`,
      );
  });
  return child;
});
process.stdout.write(`file_sd targets in ${discovery}; Ctrl-C stops all three\n`);
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
