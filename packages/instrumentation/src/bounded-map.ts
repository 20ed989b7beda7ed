import { OVERFLOW_DESTINATION } from '@eventscope/catalog';

/**
 * A cache of values by name that holds at most `limit` names: the first `limit` names each get a
 * value of their own, made on first use; every name after them shares one overflow value, made
 * (for `overflowKey`) when the first of them arrives. A flood of names therefore costs neither
 * memory nor a new value per name. The store's destination sets, the wrappers' series per
 * destination and the adapters' per-topic wrappers and settle targets are all bounded this way.
 */
export class BoundedMap<V> {
  private readonly values = new Map<string, V>();
  private overflowValue: V | undefined;

  constructor(
    private readonly limit: number,
    private readonly create: (key: string) => V,
    private readonly overflowKey: string = OVERFLOW_DESTINATION,
  ) {}

  /** The value of `key`: its own while there is room, else the overflow value. */
  get(key: string): V {
    const known = this.values.get(key);
    if (known !== undefined) return known;
    if (this.values.size >= this.limit) return this.overflow();
    const value = this.create(key);
    this.values.set(key, value);
    return value;
  }

  /** The value every name past the limit shares. */
  overflow(): V {
    this.overflowValue ??= this.create(this.overflowKey);
    return this.overflowValue;
  }

  /** Names with a value of their own (at most `limit`). */
  get size(): number {
    return this.values.size;
  }
}
