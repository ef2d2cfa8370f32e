export * from './user.types';
export * from './errors';
export * from './schemas';
export * from './coerce-attributes';
export * from './user';
export * from './list-response';
export * from './group.types';
export * from './group';
