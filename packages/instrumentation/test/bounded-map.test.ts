import { OVERFLOW_DESTINATION } from '@eventscope/catalog';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../src/bounded-map.js';

describe('BoundedMap', () => {
  it('gives the first `limit` names a value of their own and every later name one shared overflow value', () => {
    const made: string[] = [];
    const map = new BoundedMap(2, (key) => {
      made.push(key);
      return { key };
    });
    const a = map.get('a');
    expect(map.get('a')).toBe(a);
    expect(map.get('b').key).toBe('b');
    const c = map.get('c');
    expect(c.key).toBe(OVERFLOW_DESTINATION);
    expect(map.get('d')).toBe(c);
    expect(map.overflow()).toBe(c);
    expect(map.get('a')).toBe(a);
    expect(map.size).toBe(2);
    expect(made).toEqual(['a', 'b', OVERFLOW_DESTINATION]);
  });

  it('stays bounded under a flood of names', () => {
    let made = 0;
    const map = new BoundedMap(10, (key) => {
      made++;
      return key;
    });
    for (let i = 0; i < 100_000; i++) map.get(`name-${i}`);
    expect(map.size).toBe(10);
    expect(made).toBe(11);
  });

  it('takes another overflow key', () => {
    expect(new BoundedMap(0, (key) => key, 'other').get('x')).toBe('other');
  });
});
