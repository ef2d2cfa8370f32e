export * from './ast';
export * from './tokenize';
export * from './parse';
export * from './format';
export * from './to-sql';
export * from './evaluate';
