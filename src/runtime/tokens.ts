/** Injection tokens for values that are not classes. */
export const RUNTIME = Symbol('tongban.runtime');
export const REDIS = Symbol('tongban.redis');
export const EVENTS_CLIENT = Symbol('tongban.events-client');
