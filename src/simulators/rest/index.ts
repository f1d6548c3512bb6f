export * from './rest-simulator';
export * from './civil.simulator';
export * from './health.simulator';
export * from './status-callbacks';
