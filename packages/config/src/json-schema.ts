import { z } from 'zod';
import { configSchema } from './schema.js';

/** Where editors find the published schema, for a config file's `$schema`. */
export const CONFIG_SCHEMA_FILE = 'eventscope.config.schema.json';

/** The JSON Schema of `eventscope.config.*`, generated from the same schema the validation uses. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  return {
    ...schema,
    $id: 'https://github.com/eventscope/eventscope/blob/main/packages/config/eventscope.config.schema.json',
    title: 'eventscope configuration',
    description:
      'eventscope.config.{json,yaml,ts}: one file drives the dashboards, the alerts, the Prometheus scrape config, report and preview.',
  };
}
