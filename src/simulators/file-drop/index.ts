export * from './dpf.simulator';
export * from './dpf-fault-modes';
export * from './dpf-files';
export * from './dpf-registry';
export * from './sftp-server';
export * from './dpf-sample';
