export * from './helpers';
export * from './compose';
export * from './ledger';
export * from './prometheus';
