/** Injection token of the per-department runtimes (breaker, calendar, settings). */
export const DELIVERY_RUNTIMES = Symbol('tongban.delivery-runtimes');
