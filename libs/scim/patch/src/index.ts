export * from './parse';
export * from './resolve';
export * from './apply-user';
export * from './plan-group';
