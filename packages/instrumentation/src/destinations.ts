import { sanitizeLabelValue } from './store.js';

/**
 * Series bundles per destination, for wrappers whose destination is a function of the message.
 * A bundle is resolved from the store the first time a destination is seen and cached here. The
 * cache is bounded by the store's destination budget: once the budget is spent, unseen names go to
 * the overflow bundle without touching the store, so a flood of names costs neither memory nor time.
 */
export class DestinationBundles<B extends { readonly overflow: boolean }> {
  private readonly byName = new Map<string, B>();
  private overflowBundle: B | undefined;

  constructor(
    private readonly budget: number,
    private readonly create: (destination: string) => B,
  ) {}

  get(destination: unknown): B {
    const name = sanitizeLabelValue(destination);
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    if (this.byName.size >= this.budget && this.overflowBundle !== undefined) return this.overflowBundle;
    const bundle = this.create(name);
    if (bundle.overflow) this.overflowBundle ??= bundle;
    const result = bundle.overflow ? this.overflowBundle! : bundle;
    if (this.byName.size < this.budget) this.byName.set(name, result);
    return result;
  }

  /** Bundles cached (tests: stays bounded). */
  get size(): number {
    return this.byName.size;
  }
}
