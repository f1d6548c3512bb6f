export * from './fault-mode';
export * from './http-io';
