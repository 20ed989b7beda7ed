import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ALERTS_BEGIN,
  ALERTS_END,
  alertDefinitions,
  renderAlertTable,
  replaceAlertBlock,
} from '../src/index.js';

/** The README's list of alerts is generated from the same definitions as the rules; this keeps it current. */
describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('lists every generated alert, exactly as generated', () => {
    const current = replaceAlertBlock(readme, renderAlertTable());
    expect(readme, 'run: node -e "…replaceAlertBlock(readme, renderAlertTable())" to refresh').toBe(current);
    const block = readme.slice(readme.indexOf(ALERTS_BEGIN), readme.indexOf(ALERTS_END));
    for (const definition of alertDefinitions) expect(block).toContain(`\`${definition.name}\``);
  });
});

describe('committed runbooks', () => {
  it('are the ones the default configuration generates (runbook_url points at them)', async () => {
    const { generateAlerts } = await import('../src/index.js');
    for (const [path, text] of Object.entries(generateAlerts())) {
      if (!path.startsWith('runbooks/')) continue;
      expect(
        readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'),
        `${path} is stale; regenerate it`,
      ).toBe(text);
    }
  });
});
