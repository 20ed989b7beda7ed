import { OVERFLOW_DESTINATION } from '@eventscope/catalog';
import { BoundedMap } from './bounded-map.js';
import { sanitizeLabelValue } from './store.js';

/**
 * Series bundles per destination, for wrappers whose destination is a function of the message.
 * A bundle is resolved from the store the first time a destination is seen and cached here, at most
 * as many as the store's destination budget; past it, unseen names go to the overflow bundle
 * without touching the store. A name the store itself folds into the overflow destination (its
 * budget spent by other wrappers) shares the overflow bundle too.
 */
export class DestinationBundles<B extends { readonly overflow: boolean }> {
  private readonly byName: BoundedMap<B>;

  constructor(budget: number, create: (destination: string) => B) {
    this.byName = new BoundedMap(budget, (name) => {
      const bundle = create(name);
      return bundle.overflow && name !== OVERFLOW_DESTINATION ? this.byName.overflow() : bundle;
    });
  }

  get(destination: unknown): B {
    return this.byName.get(sanitizeLabelValue(destination));
  }
}
