import { attributes } from '@eventscope/catalog';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  instrumentBatchHandler,
  instrumentHandler,
  instrumentProducer,
  SignalStore,
  traceMixin,
} from '../../src/index.js';
import { parseEpochMillis, parseTraceparent } from '../../src/propagation.js';

/**
 * Acceptance 4: producer span → headers → consumer span whose parent is the producer; malformed
 * headers never throw, the event is processed and the error counted; a future creation time is
 * clock skew and the age is never negative.
 */

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

type Message = { body: string; headers?: Record<string, string> };
const options = (store: SignalStore, destination = 'orders.created') => ({
  system: 'inprocess',
  destination,
  store,
  registry: false as const,
  runtime: false,
});
const sum = (store: SignalStore, key: 'propagationErrors' | 'clockSkewEvents', kind?: string) => {
  const family = store.family(key);
  const index = family.signal.labels.indexOf(attributes.propagationError);
  let total = 0;
  for (const series of family.series.values()) {
    if (kind === undefined || series.values[index] === kind) total += series.value;
  }
  return total;
};

describe('trace propagation through headers', () => {
  it("makes the producer's span the parent of the consumer's span, across three hops", async () => {
    const store = new SignalStore();
    const queue: Message[] = [];
    const logged: object[] = [];
    const sendA = instrumentProducer((m: Message) => queue.push(m), options(store, 'a'));
    const sendB = instrumentProducer((m: Message) => queue.push(m), {
      ...options(store, 'b'),
      pipelineAge: true,
    });
    const handleA = instrumentHandler(
      async (m: Message) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        logged.push(traceMixin());
        sendB({ body: `${m.body}+a` });
      },
      { ...options(store, 'a'), pipelineAge: true },
    );
    const handleB = instrumentHandler((m: Message) => m.body, { ...options(store, 'b'), pipelineAge: true });

    sendA({ body: 'order' });
    expect(queue[0]!.headers!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await handleA(queue.shift()!);
    expect(queue[0]!.headers!['eventscope-origin']).toBeDefined();
    expect(handleB(queue.shift()!)).toBe('order+a');

    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    const producerA = byName.get('send a')!;
    const consumerA = byName.get('process a')!;
    const producerB = byName.get('send b')!;
    const consumerB = byName.get('process b')!;
    expect(producerA.kind).toBe(SpanKind.PRODUCER);
    expect(consumerA.kind).toBe(SpanKind.CONSUMER);
    expect(consumerA.parentSpanContext?.spanId).toBe(producerA.spanContext().spanId);
    expect(producerB.parentSpanContext?.spanId).toBe(consumerA.spanContext().spanId);
    expect(consumerB.parentSpanContext?.spanId).toBe(producerB.spanContext().spanId);
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    expect(consumerA.attributes[attributes.system]).toBe('inprocess');
    expect(consumerA.attributes[attributes.destination]).toBe('a');
    expect(consumerA.attributes[attributes.operationType]).toBe('process');
    // The handler's logs carry its span's ids (pino mixin).
    expect(logged[0]).toEqual({
      trace_id: consumerA.spanContext().traceId,
      span_id: consumerA.spanContext().spanId,
      trace_flags: '01',
    });
    // Pipeline age at the second hop covers the first hop's delay.
    const pipelineAge = store.series('pipelineAge', {
      [attributes.system]: 'inprocess',
      [attributes.destination]: 'b',
    });
    expect(pipelineAge.count).toBe(1);
    expect(pipelineAge.sum).toBeGreaterThanOrEqual(0.004);
  });

  it('passes a sampled-out trace on instead of starting a new one', () => {
    const store = new SignalStore();
    const sent: Message[] = [];
    const send = instrumentProducer((m: Message) => sent.push(m), options(store, 'b'));
    const handle = instrumentHandler((_m: Message) => send({ body: 'onward' }), options(store, 'a'));
    handle({
      body: 'x',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
    });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(sent[0]!.headers!.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
  });

  it('never overwrites a header the sender set', () => {
    const store = new SignalStore();
    const userParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const message: Message = {
      body: 'x',
      headers: { traceparent: userParent, 'eventscope-created': '1800000000000' },
    };
    instrumentProducer((_: Message) => undefined, options(store))(message);
    expect(message.headers!.traceparent).toBe(userParent);
    expect(message.headers!['eventscope-created']).toBe('1800000000000');
  });

  it('links a batch span to each message’s producer span', () => {
    const store = new SignalStore();
    const queue: Message[] = [];
    const send = instrumentProducer((m: Message) => queue.push(m), options(store));
    for (let i = 0; i < 3; i++) send({ body: String(i) });
    const handle = instrumentBatchHandler((batch: Message[]) => batch.length, options(store));
    expect(handle(queue)).toBe(3);
    const spans = exporter.getFinishedSpans();
    const producers = spans.filter((s) => s.kind === SpanKind.PRODUCER).map((s) => s.spanContext().spanId);
    const batch = spans.find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(batch.links.map((l) => l.context.spanId)).toEqual(producers);
    expect(batch.attributes['messaging.batch.message_count']).toBe(3);
    const consumed = store.series('consumedMessages', {
      [attributes.system]: 'inprocess',
      [attributes.destination]: 'orders.created',
      [attributes.operationName]: 'process',
    });
    expect(consumed.value).toBe(3);
  });

  it('marks failed spans with status ERROR and error.type', async () => {
    const store = new SignalStore();
    class ValidationError extends Error {
      override name = 'ValidationError';
    }
    const handle = instrumentHandler(async (_m: Message) => {
      throw new ValidationError('bad order');
    }, options(store));
    await expect(handle({ body: 'x' })).rejects.toThrow('bad order');
    const [span] = exporter.getFinishedSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes[attributes.errorType]).toBe('ValidationError');
  });
});

const malformedTraceparents = [
  '',
  ' ',
  'garbage',
  '00',
  '00-',
  '00-0af7651916cd43dd8448eb211c80319c',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g',
  '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01',
  '00-00000000000000000000000000000000-b7ad6b7169203331-01',
  '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
  'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
  '0-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  '000-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  '00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01',
  '00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01',
  '00-0af7651916cd43dd8448eb211c80319c00-b7ad6b7169203331-01',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033-01',
  '00-0af7651916cd43dd8448eb211c80319z-b7ad6b7169203331-01',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333x-01',
  '00-😀af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01',
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\u0000',
  'zz-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  '00--b7ad6b7169203331-01',
  '-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  `00-${'a'.repeat(10_000)}`,
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'.split('').reverse().join(''),
];
const malformedTimes = [
  '',
  'yesterday',
  '-1',
  '0',
  '1e12',
  '0x1A2B3C4D5E',
  '1700000000', // seconds, not milliseconds
  '1700000000000000', // microseconds
  'NaN',
  'Infinity',
  '17000000000001700000000000',
  '1700000000000.5.5',
  '2024-01-01T00:00:00Z',
  '١٧٠٠٠٠٠٠٠٠٠٠٠', // Arabic-Indic digits
];

describe('malformed headers', () => {
  it(`counts ${malformedTraceparents.length} malformed traceparents and ${malformedTimes.length} creation times, and processes every event`, () => {
    expect(malformedTraceparents.length + malformedTimes.length).toBeGreaterThanOrEqual(30);
    const store = new SignalStore();
    let processed = 0;
    const handle = instrumentHandler((_m: Message) => ++processed, options(store));
    for (const traceparent of malformedTraceparents) handle({ body: 'x', headers: { traceparent } });
    for (const created of malformedTimes) handle({ body: 'x', headers: { 'eventscope-created': created } });
    expect(processed).toBe(malformedTraceparents.length + malformedTimes.length);
    expect(sum(store, 'propagationErrors', 'traceparent')).toBe(malformedTraceparents.length);
    expect(sum(store, 'propagationErrors', 'creation_time')).toBe(malformedTimes.length);
    const age = store.series('eventAge', {
      [attributes.system]: 'inprocess',
      [attributes.destination]: 'orders.created',
    });
    expect(age.count).toBe(0);
    // The consumer spans of malformed events start a new trace rather than failing.
    expect(exporter.getFinishedSpans().length).toBe(processed);
  });

  it('accepts valid headers: a later trace-context version, tracestate, upper bounds of the time range', () => {
    const store = new SignalStore();
    const handle = instrumentHandler((_m: Message) => undefined, options(store));
    handle({
      body: 'x',
      headers: {
        traceparent: '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future',
        tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
        'eventscope-created': String(Date.now() - 1000),
      },
    });
    expect(sum(store, 'propagationErrors')).toBe(0);
    const [span] = exporter.getFinishedSpans();
    expect(span!.parentSpanContext?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span!.parentSpanContext?.traceState?.get('rojo')).toBe('00f067aa0ba902b7');
    // Only the sampled bit of the flags counts; the reserved bits are ignored.
    const id = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331';
    expect(parseTraceparent(`${id}-0b`)?.traceFlags).toBe(1);
    expect(parseTraceparent(`${id}-0a`)?.traceFlags).toBe(0);
    expect(parseTraceparent(` ${id}-01 `)?.spanId).toBe('b7ad6b7169203331');
    expect(parseEpochMillis('1800000000000.25')).toBe(1800000000000.25);
    expect(parseEpochMillis(' 1800000000000 ')).toBe(1800000000000);
  });

  it('counts a creation time in the future as clock skew and records age 0', () => {
    const store = new SignalStore();
    const handle = instrumentHandler((_m: Message) => undefined, options(store));
    handle({ body: 'x', headers: { 'eventscope-created': String(Date.now() + 60_000) } });
    expect(sum(store, 'clockSkewEvents')).toBe(1);
    const age = store.series('eventAge', {
      [attributes.system]: 'inprocess',
      [attributes.destination]: 'orders.created',
    });
    expect(age.count).toBe(1);
    expect(age.sum).toBe(0);
  });

  it('never throws on fuzzed header values, carriers and messages', () => {
    const store = new SignalStore();
    let processed = 0;
    const handle = instrumentHandler((_m: unknown) => ++processed, { ...options(store), pipelineAge: true });
    const batch = instrumentBatchHandler((_b: unknown) => ++processed, {
      ...options(store),
      pipelineAge: true,
    });
    const headerValue = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^[0-9a-f-]{50,60}$/),
      fc.anything(),
      fc.uint8Array(),
    );
    fc.assert(
      fc.property(
        fc.record({
          traceparent: headerValue,
          tracestate: headerValue,
          'eventscope-created': headerValue,
          'eventscope-origin': headerValue,
        }),
        fc.boolean(),
        fc.anything(),
        (headers, asMap, other) => {
          const carrier = asMap ? new Map(Object.entries(headers)) : headers;
          const before = processed;
          handle({ headers: carrier });
          handle(other);
          handle({ headers: other });
          batch([{ headers: carrier }, other]);
          expect(processed).toBe(before + 4);
        },
      ),
      { numRuns: 2000 },
    );
    expect(sum(store, 'propagationErrors')).toBeGreaterThan(0);
  });
});
