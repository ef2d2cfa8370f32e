export * from './helpers';
export * from './compose';
