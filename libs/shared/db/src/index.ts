export * from './sql';
export * from './data-source';
export * from './readiness';
export * from './statement-batch';
