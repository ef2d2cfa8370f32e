/** The directory's validated config (config.ts), for the providers that need a setting. */
export const CONFIG = Symbol('CONFIG');
