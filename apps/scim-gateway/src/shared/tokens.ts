export const CONFIG = Symbol('CONFIG');
export const KAFKA = Symbol('KAFKA');
