export * from './client';
export * from './publisher';
export * from './headers';
export * from './reply-listener';
export * from './batch-server';
export * from './topics-admin';
export * from './readiness';
export * from './identity-consumer';
