import type { CommonOptions } from '../types.js';

/**
 * What every adapter accepts. `system` defaults to the broker's `messaging.system` value; the
 * rest is passed through to the core wrappers.
 */
export interface AdapterOptions extends Omit<CommonOptions, 'system'> {
  /** `messaging.system`; each adapter has the right default (`nats`, `rabbitmq`, `redis` …). */
  system?: string;
  /** `messaging.consumer.group.name` for the consumers this adapter instruments. */
  consumerGroup?: string;
  /** Events slower than this (ms) are reported with their cause. Default 100 ms; 0 disables. */
  slowThreshold?: number;
}

/** The options the core wrappers share, taken from an adapter's options. */
export function commonOptions(options: AdapterOptions, defaultSystem: string): CommonOptions {
  const common: CommonOptions = { system: options.system ?? defaultSystem };
  if (options.store !== undefined) common.store = options.store;
  if (options.registry !== undefined) common.registry = options.registry;
  if (options.tracing !== undefined) common.tracing = options.tracing;
  if (options.runtime !== undefined) common.runtime = options.runtime;
  // Both sides of every hop need it: consumers record and carry the origin, producers write it on.
  if (options.pipelineAge !== undefined) common.pipelineAge = options.pipelineAge;
  return common;
}
