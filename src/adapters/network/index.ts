export * from './egress-rules';
export * from './egress-guard';
export * from './http-agents';
