import { attributes } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { headerNames, instrumentHandler, instrumentProducer, SignalStore } from '../../src/index.js';

/**
 * Pipeline age across hops is opt-in (it runs handlers inside an AsyncLocalStorage scope): off by
 * default on both sides, and carried only where the consumer and the producer of a hop opt in.
 */

type Message = { body: string; headers?: Record<string, string> };
const T0 = Date.UTC(2026, 0, 1);

/** A two-hop pipeline a → b on an in-memory queue, with wall clocks under the test's control. */
function pipeline(optIn: { consumers: boolean; producers: boolean }) {
  const store = new SignalStore();
  const queue: Message[] = [];
  let now = T0;
  const common = (destination: string) => ({
    system: 'inprocess',
    destination,
    store,
    registry: false as const,
    runtime: false,
    tracing: false,
    wallClock: () => now,
  });
  const consumer = (destination: string) =>
    optIn.consumers ? { ...common(destination), pipelineAge: true } : common(destination);
  const producer = (destination: string) =>
    optIn.producers ? { ...common(destination), pipelineAge: true } : common(destination);
  const sendA = instrumentProducer((m: Message) => queue.push(m), producer('a'));
  const sendB = instrumentProducer((m: Message) => queue.push(m), producer('b'));
  const handleA = instrumentHandler((m: Message) => {
    now += 100; // the handler's own work, on the wall clock
    sendB({ body: `${m.body}+a` });
  }, consumer('a'));
  const handleB = instrumentHandler((m: Message) => m.body, consumer('b'));
  const ages = (destination: string) => {
    const labels = { [attributes.system]: 'inprocess', [attributes.destination]: destination };
    return { event: store.series('eventAge', labels), pipeline: store.series('pipelineAge', labels) };
  };
  const run = () => {
    sendA({ body: 'order' }); // created at T0
    now += 500;
    handleA(queue.shift()!); // event age 0.5 s; sends to b at T0 + 600
    const toB = queue[0]!;
    now += 400;
    const result = handleB(queue.shift()!); // at T0 + 1000
    return { toB, result };
  };
  return { run, ages };
}

describe('pipeline age (opt-in)', () => {
  it('is off by default: no origin header, no pipeline age, event age as usual', () => {
    const { run, ages } = pipeline({ consumers: false, producers: false });
    const { toB, result } = run();
    expect(result).toBe('order+a');
    expect(toB.headers?.[headerNames.origin]).toBeUndefined();
    expect(ages('a').pipeline.count).toBe(0);
    expect(ages('b').pipeline.count).toBe(0);
    expect(ages('a').event.sum).toBeCloseTo(0.5, 9);
    expect(ages('b').event.sum).toBeCloseTo(0.4, 9);
  });

  it('needs both sides of a hop: a consumer that opts in alone records, but does not carry', () => {
    const { run, ages } = pipeline({ consumers: true, producers: false });
    const { toB } = run();
    expect(toB.headers?.[headerNames.origin]).toBeUndefined();
    expect(ages('a').pipeline.sum).toBeCloseTo(0.5, 9);
    // b sees a new pipeline, starting at its own creation time.
    expect(ages('b').pipeline.sum).toBeCloseTo(0.4, 9);
  });

  it('a producer that opts in alone writes nothing outside an opted-in handler', () => {
    const { run, ages } = pipeline({ consumers: false, producers: true });
    const { toB } = run();
    expect(toB.headers?.[headerNames.origin]).toBeUndefined();
    expect(ages('b').pipeline.count).toBe(0);
  });

  it('both sides opted in: the origin travels on and the last hop’s pipeline age covers the path', () => {
    const { run, ages } = pipeline({ consumers: true, producers: true });
    const { toB } = run();
    expect(toB.headers?.[headerNames.origin]).toBe(String(T0));
    expect(ages('a').pipeline.sum).toBeCloseTo(0.5, 9);
    expect(ages('b').event.sum).toBeCloseTo(0.4, 9);
    expect(ages('b').pipeline.sum).toBeCloseTo(1.0, 9);
  });
});
