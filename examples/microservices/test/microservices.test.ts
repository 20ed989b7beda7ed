import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricName } from '@eventscope/catalog';
import {
  needService,
  prometheusBinary,
  type RunningPrometheus,
  startPrometheus,
  tempDir,
  waitFor,
} from '@eventscope/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../src/span-file.js';

const serviceMain = fileURLToPath(new URL('../dist/service-main.js', import.meta.url));
const natsUp = await needService('NATS', 4222, 'nats-server -js -a 127.0.0.1');
const available = natsUp && Boolean(prometheusBinary());
/**
 * Prometheus hands discovered targets to the scrape manager at most every 5 s, and a new target's
 * first scrape waits for its slot within the interval: with a 5 s interval a new service is
 * scraped within two intervals of registering.
 */
const SCRAPE_INTERVAL_S = 5;

interface Started {
  child: ChildProcess;
  ready: { role: string; metricsUrl: string; registeredAt: number; pid: number };
}

function startService(role: string, dirs: { sd: string; spans: string }, name = role): Promise<Started> {
  const child = spawn(
    process.execPath,
    [
      serviceMain,
      '--role',
      role,
      '--name',
      name,
      '--discovery',
      dirs.sd,
      '--spans',
      dirs.spans,
      '--rate',
      '20',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) =>
      resolve({ child, ready: JSON.parse(chunk.toString().split('\n')[0]!) }),
    );
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}: ${stderr}`)));
  });
}

const stopService = (s: Started) =>
  new Promise<void>((resolve) => {
    if (s.child.exitCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGTERM');
  });

interface Target {
  labels: Record<string, string>;
  health: string;
  lastScrape: string;
}

describe.skipIf(!available)(
  'microservices: ingest → enrich → store over NATS, discovered through file_sd',
  () => {
    let dir: ReturnType<typeof tempDir>;
    const dirs = { sd: '', spans: '' };
    const services: Started[] = [];
    let prometheus: RunningPrometheus;

    const targets = async (): Promise<Target[]> => prometheus.client.targets();

    beforeAll(async () => {
      dir = tempDir('eventscope-micro-');
      dirs.sd = join(dir.path, 'file_sd');
      dirs.spans = join(dir.path, 'spans.jsonl');
      mkdirSync(dirs.sd, { recursive: true });
      prometheus = await startPrometheus({
        config: [
          'global:',
          `  scrape_interval: ${SCRAPE_INTERVAL_S}s`,
          'scrape_configs:',
          '  - job_name: eventscope-microservices',
          '    file_sd_configs:',
          `      - files: [${JSON.stringify(join(dirs.sd, '*.json'))}]`,
          '        refresh_interval: 1s',
          '',
        ].join('\n'),
      });
      for (const role of ['store', 'enrich', 'ingest']) services.push(await startService(role, dirs));
    });

    afterAll(async () => {
      await Promise.all(services.map(stopService));
      await prometheus?.stop();
      dir?.remove();
    });

    it('scrapes all three services, each with its own /metrics', async () => {
      await prometheus.waitForTargets(3, 30_000);
      const up = await prometheus.query('up == 1');
      expect(up.map((s) => s.metric.job).sort()).toEqual(['enrich', 'ingest', 'store']);
      const processed = `${metricName('processDuration')}_count`;
      await waitFor(async () => (await prometheus.query(`sum by (job) (${processed}) > 0`)).length === 2, {
        timeoutMs: 20_000,
        what: 'processed events from enrich and store',
      });
      const sent = await prometheus.query(`sum by (job) (${metricName('sentMessages')}) > 0`);
      expect(sent.map((s) => s.metric.job).sort()).toEqual(['enrich', 'ingest']);
    });

    it('carries one trace across all three services', async () => {
      const chain = await waitFor(
        () => {
          const spans = readFileSync(dirs.spans, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as SpanRecord);
          const byId = new Map(spans.map((s) => [s.spanId, s]));
          // A store consumer span whose ancestry reaches back through enrich to ingest.
          for (const span of spans.filter((s) => s.service === 'store')) {
            const path: SpanRecord[] = [span];
            let current: SpanRecord | undefined = span;
            while (current?.parentSpanId && (current = byId.get(current.parentSpanId))) path.push(current);
            const services = path.map((s) => s.service);
            if (services.includes('ingest') && services.includes('enrich')) return path.reverse();
          }
          return undefined;
        },
        { timeoutMs: 20_000, what: 'a trace spanning ingest, enrich and store' },
      );
      expect(new Set(chain.map((s) => s.traceId)).size).toBe(1);
      expect(chain.map((s) => s.service)).toEqual(['ingest', 'enrich', 'enrich', 'store']);
      expect(chain[0]!.parentSpanId).toBeUndefined();
    });

    it('scrapes a fourth service started mid-test within two scrape intervals, and drops it when it stops', async () => {
      const fourth = await startService('store', dirs, 'store-2');
      services.push(fourth);
      const target = await waitFor(
        async () => (await targets()).find((t) => t.labels.replica === 'store-2' && t.health === 'up'),
        { timeoutMs: 30_000, intervalMs: 100, what: 'the fourth service scraped' },
      );
      const firstScrapeAfterMs = Date.parse(target.lastScrape) - fourth.ready.registeredAt;
      console.log(`fourth service: first scrape ${firstScrapeAfterMs} ms after it registered`);
      expect(firstScrapeAfterMs).toBeLessThanOrEqual(2 * SCRAPE_INTERVAL_S * 1000);

      await stopService(fourth);
      await waitFor(async () => !(await targets()).some((t) => t.labels.replica === 'store-2'), {
        timeoutMs: 20_000,
        what: 'the stopped service to leave the targets',
      });
      expect((await targets()).filter((t) => t.health === 'up')).toHaveLength(3);
    });
  },
);
