export * from './scim-exception.filter';
export * from './fastify';
export * from './internal-token.guard';
export * from './health.controller';
export * from './shutdown';
export * from './observability';
