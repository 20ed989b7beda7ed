import { labelName, metricName, signalList } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('eventscope (no command)', () => {
  it('--help lists every command and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['demo', 'catalog']) expect(result.stdout).toContain(command);
  });

  it('an unknown command or flag exits 2 and says so', async () => {
    const command = await runCli(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'frobnicate'/);
    const flag = await runCli(['catalog', '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--colour'/);
  });
});

describe('eventscope catalog', () => {
  it('prints every signal with its Prometheus name', async () => {
    const result = await runCli(['catalog']);
    expect(result.code).toBe(0);
    for (const signal of signalList) {
      expect(result.stdout).toContain(signal.name);
      expect(result.stdout).toContain(metricName(signal));
    }
  });

  it('keeps every text line within 100 characters, in both namings and every group, with every label', async () => {
    for (const flavor of ['prometheus', 'otel'] as const) {
      for (const group of [undefined, 'messaging', 'runtime']) {
        const args = ['catalog', '--flavor', flavor, ...(group ? ['--group', group] : [])];
        const result = await runCli(args);
        expect(result.code).toBe(0);
        const lines = result.stdout.split('\n');
        const long = lines.filter((line) => [...line].length > 100);
        expect(long, args.join(' ')).toEqual([]);
        // One block per signal: its name line, then indented lines (Prometheus name, wrapped labels).
        const blocks = new Map<string, string>();
        let current = '';
        for (const line of lines) {
          if (!line.startsWith(' ')) current = line.split(/\s+/)[0] ?? '';
          blocks.set(current, `${blocks.get(current) ?? ''} ${line.trim()}`);
        }
        for (const signal of signalList.filter((s) => !group || s.group === group)) {
          const block = blocks.get(signal.name) ?? '';
          expect(block, signal.name).toMatch(new RegExp(`Prometheus\\s+${metricName(signal, flavor)} `));
          for (const name of signal.labels.map(labelName))
            expect(block, `${signal.name} ${name}`).toContain(name);
        }
      }
    }
  });

  it('prints JSON in the otel naming on request', async () => {
    const result = await runCli(['catalog', '--json', '--flavor', 'otel']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { name: string; prometheusName: string }[];
    expect(parsed).toHaveLength(signalList.length);
    expect(parsed.find((s) => s.name === 'messaging.process.duration')?.prometheusName).toBe(
      metricName('processDuration', 'otel'),
    );
  });

  it('rejects an unknown flavor with the accepted ones', async () => {
    const result = await runCli(['catalog', '--flavor', 'statsd']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/use one of: prometheus, otel/);
  });
});
