import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDashboards } from '../src/generate.js';
import { configSets } from './fixtures.js';

interface JsonSchema {
  definitions?: Record<string, JsonSchema>;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean;
}

/**
 * Annotation queries are a datasource extension point: @grafana/schema types them as
 * `AnnotationQuery<TQuery extends DataQuery>`, and the Prometheus datasource reads `expr` in the
 * target and `titleFormat`, `textFormat`, `tagKeys`, `step` beside it. Only there, properties the
 * base type does not list are allowed; everything the schema does list is still checked.
 */
function allowDatasourceFields(schema: JsonSchema): void {
  const annotation = schema.definitions?.GrafanaDashboard?.properties?.annotations?.properties?.list?.items;
  const target = annotation?.properties?.target;
  if (!annotation || !target) throw new Error('schema layout changed: no annotations.list[].target');
  annotation.additionalProperties = true;
  target.additionalProperties = true;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('generated dashboards match @grafana/schema', () => {
  let validate: ReturnType<Ajv['compile']>;

  beforeAll(() => {
    // Derived, not hand-written: the JSON Schema of @grafana/schema's Dashboard type, generated
    // from its TypeScript declarations, with unknown properties rejected wherever the type is closed.
    const schema = createGenerator({
      path: join(root, 'test/types/grafana-dashboard.ts'),
      type: 'GrafanaDashboard',
      tsconfig: join(root, 'tsconfig.test.json'),
      skipTypeCheck: true,
      expose: 'none',
      topRef: true,
      additionalProperties: false,
    }).createSchema('GrafanaDashboard') as JsonSchema;
    allowDatasourceFields(schema);
    const ajv = new Ajv({ allErrors: true, strict: false });
    validate = ajv.compile(schema);
  });

  for (const { name, config } of configSets) {
    it(`validates with ajv: ${name}`, () => {
      for (const { uid, dashboard } of generateDashboards(config)) {
        const valid = validate(JSON.parse(JSON.stringify(dashboard)));
        expect(valid ? [] : validate.errors?.slice(0, 5), uid).toEqual([]);
      }
    });
  }

  it('rejects a dashboard that breaks the schema (the validator is not vacuous)', () => {
    const [first] = generateDashboards();
    const broken = {
      ...JSON.parse(JSON.stringify(first!.dashboard)),
      schemaVersion: 'forty-two',
      panelz: [],
    };
    expect(validate(broken)).toBe(false);
    const messages = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(messages.join('\n')).toMatch(/schemaVersion/);
  });
});
