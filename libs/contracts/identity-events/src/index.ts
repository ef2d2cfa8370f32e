export * from './event-types';
export * from './event-id';
export * from './envelope';
export * from './validate';
export * from './kafka';
export * from './view';
export * from './changes';
