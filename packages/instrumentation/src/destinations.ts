import { OVERFLOW_DESTINATION } from '@eventscope/catalog';
import { BoundedMap } from './bounded-map.js';
import { reportFault } from './faults.js';
import { type SignalStore, sanitizeLabelValue } from './store.js';

/** A wrapper's `destination` option: a fixed name, or a function of what the wrapper sees per call. */
export type DestinationOf<I> = string | ((input: I) => string | undefined) | undefined;

/**
 * The series bundle one call of a wrapper records into, the same for consumers and producers: with
 * a fixed destination, the one bundle resolved at wrap time; with a destination function, one
 * bundle per name it returns, resolved from the store the first time the name is seen and cached
 * here, at most as many as the store's destination budget. Past it, unseen names go to the overflow
 * bundle without touching the store; a name the store itself folds into the overflow destination
 * (its budget spent by other wrappers) shares the overflow bundle too.
 */
export class SeriesByDestination<I, B extends { readonly overflow: boolean }> {
  private readonly fixed: B | undefined;
  private readonly nameOf: ((input: I) => string | undefined) | undefined;
  private readonly byName: BoundedMap<B> | undefined;

  constructor(
    destination: DestinationOf<I>,
    private readonly store: SignalStore,
    create: (destination: string) => B,
  ) {
    if (typeof destination !== 'function') {
      this.fixed = create(destination ?? '');
      return;
    }
    this.nameOf = destination;
    this.byName = new BoundedMap(store.destinationBudget, (name) => {
      const bundle = create(name);
      return bundle.overflow && name !== OVERFLOW_DESTINATION ? this.byName!.overflow() : bundle;
    });
  }

  /** The bundle for one call. A destination function that throws is counted; the call records under ''. */
  get(input: I): B {
    if (this.fixed !== undefined) return this.fixed;
    let name: string | undefined;
    try {
      name = this.nameOf!(input);
    } catch (fault) {
      reportFault('destination', fault, this.store);
    }
    return this.byName!.get(sanitizeLabelValue(name));
  }
}
