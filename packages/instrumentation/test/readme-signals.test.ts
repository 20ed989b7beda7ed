import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script at the repository root
import { signalBlocks } from '../../../scripts/docs.mjs';

/** Acceptance 8: every README's signal table is what the catalog generates now. */
describe('generated signal tables', () => {
  it('are current in every README that carries them (run `pnpm run docs` to fix)', async () => {
    const blocks: { path: string; current: string; generated: string }[] = await signalBlocks();
    expect(blocks.map((b) => b.path)).toContain('packages/instrumentation/README.md');
    for (const block of blocks) {
      expect(block.current, `${block.path} is stale; run \`pnpm run docs\``).toBe(block.generated);
    }
  });

  it('lists every signal of the catalog in the instrumentation README, with a one-line wrap', async () => {
    const { signalList, metricName } = await import('@eventscope/catalog');
    const blocks: { path: string; current: string }[] = await signalBlocks();
    const readme = blocks.find((b) => b.path === 'packages/instrumentation/README.md')!.current;
    for (const signal of signalList) {
      expect(readme).toContain(`\`${signal.name}\``);
      expect(readme).toContain(`\`${metricName(signal)}\``);
    }
    expect(readme).toMatch(/instrumentHandler\(handleOrder, \{ system: /);
    expect(readme).toMatch(/instrumentProducer\(\(msg\) => client\.publish\(msg\), \{ system: /);
  });
});
