export * from './platform-receiver';
export * from './demo-platform-receiver';
