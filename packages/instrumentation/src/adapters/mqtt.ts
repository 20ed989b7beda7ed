import { attributes } from '@eventscope/catalog';
import type { IClientPublishOptions, IPublishPacket, MqttClient } from 'mqtt';
import { BoundedMap } from '../bounded-map.js';
import { instrumentHandler } from '../handler.js';
import { instrumentProducer } from '../producer.js';
import { headerText } from '../propagation.js';
import { type CounterSeries, defaultStore } from '../store.js';
import type { CarrierReader, CarrierWriter, HandlerOptions, ProducerOptions } from '../types.js';
import { type AdapterOptions, commonOptions } from './options.js';
import { patchMethod } from './patch.js';
import { SettleTargets } from './settle.js';

/**
 * MQTT through `mqtt` (MQTT.js v5). `instrumentMqttClient(client)` instruments, in place,
 *
 * - `publish` (and so `publishAsync`, which calls it): trace context and creation time go into
 *   MQTT 5 user properties; the user's options and properties are copied, not mutated;
 * - every `message` event: one processed event per message, for all `message` listeners together
 *   (listeners themselves are not touched). Retransmissions (`dup`) count as redeliveries.
 *
 * MQTT 3.1.1 has no properties: messages flow and are counted as usual, but event age and trace
 * context are unavailable; each such message is counted under
 * `eventscope.propagation.errors{eventscope.propagation.error="carrier"}`, never an error.
 * `instrumentMqttHandler` wraps a single (async) listener when its own duration matters.
 */

export const MQTT_SYSTEM = 'mqtt';

export interface MqttAdapterOptions extends AdapterOptions {
  /**
   * `messaging.destination.name` for a topic. Default: the topic. Pass a function for templated
   * topics (`devices/+/telemetry` rather than `devices/8431/telemetry`).
   */
  destination?: (topic: string) => string;
}

type UserProperties = Record<string, string | string[]>;

const propertyReader: CarrierReader<IPublishPacket, UserProperties> = {
  carrier: (packet) => packet.properties?.userProperties,
  get: (properties, key) => headerText(properties[key]),
};

/** User properties of `publish(topic, message, options?, callback?)`; none on MQTT 3.1.1. */
function propertyWriter(client: MqttClient): CarrierWriter<unknown[], UserProperties> {
  return {
    carrier: (args) => {
      if (client.options?.protocolVersion !== 5) return undefined;
      const given =
        typeof args[2] === 'function' ? undefined : (args[2] as IClientPublishOptions | undefined);
      if (typeof args[2] === 'function') args.splice(2, 0, undefined);
      const userProperties: UserProperties = { ...given?.properties?.userProperties };
      args[2] = { ...given, properties: { ...given?.properties, userProperties } };
      return userProperties;
    },
    set: (properties, key, value) => {
      properties[key] = value;
    },
    get: (properties, key) => headerText(properties[key]),
  };
}

/** Instrument `publish` and the `message` event of an MQTT.js client, in place. */
export function instrumentMqttClient<C extends MqttClient>(client: C, options: MqttAdapterOptions = {}): C {
  const common = commonOptions(options, MQTT_SYSTEM);
  const store = options.store ?? defaultStore;
  const destination = (topic: string) => options.destination?.(topic) ?? topic;

  const producerOptions: ProducerOptions<unknown[]> = {
    ...common,
    operationName: 'publish',
    destination: (args) => destination(String(args[0])),
    carrier: propertyWriter(client),
  };
  patchMethod(client, 'publish', (original) => instrumentProducer(original, producerOptions));

  const targets = new SettleTargets(common.system, options.consumerGroup, store);
  const carrierMissing = new BoundedMap<CounterSeries>(store.destinationBudget, (name) =>
    store.series('propagationErrors', {
      [attributes.system]: common.system,
      [attributes.destination]: name,
      [attributes.propagationError]: 'carrier',
    }),
  );
  patchMethod(client, 'emit', (originalEmit) => {
    // emit('message', topic, payload, packet): the packet (argument 3) is the message.
    const handlerOptions: HandlerOptions<IPublishPacket> = {
      ...common,
      messageArgument: 3,
      destination: (packet) => destination(packet.topic),
      carrier: propertyReader,
    };
    if (options.consumerGroup !== undefined) handlerOptions.consumerGroup = options.consumerGroup;
    if (options.slowThreshold !== undefined) handlerOptions.slowThreshold = options.slowThreshold;
    const instrumented = instrumentHandler(originalEmit, handlerOptions);
    return function emit(this: C, event: string | symbol, ...args: unknown[]) {
      if (event !== 'message') return originalEmit.call(this, event, ...args);
      const packet = args[2] as IPublishPacket | undefined;
      if (packet) {
        targets.guard(() => {
          const name = destination(packet.topic);
          if (packet.dup) targets.get(name).redelivered();
          if (!packet.properties?.userProperties) carrierMissing.get(name).add(1);
        });
      }
      return instrumented.call(this, event, ...args);
    };
  });
  return client;
}

/** Wrap one `message` listener `(topic, payload, packet)`; async listeners are timed until they settle. */
export function instrumentMqttHandler<
  H extends (topic: string, payload: Buffer, packet: IPublishPacket) => unknown,
>(listener: H, options: MqttAdapterOptions = {}): H {
  const handlerOptions: HandlerOptions<IPublishPacket> = {
    ...commonOptions(options, MQTT_SYSTEM),
    messageArgument: 2,
    destination: (packet) => options.destination?.(packet.topic) ?? packet.topic,
    carrier: propertyReader,
  };
  if (options.consumerGroup !== undefined) handlerOptions.consumerGroup = options.consumerGroup;
  if (options.slowThreshold !== undefined) handlerOptions.slowThreshold = options.slowThreshold;
  return instrumentHandler(listener, handlerOptions);
}
