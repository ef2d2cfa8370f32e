import { z } from 'zod';

/** Thrown once at start-up with every problem in the environment, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(`${service}: invalid configuration (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadEnv<S extends z.ZodObject>(service: string, schema: S, env: Record<string, string | undefined>): Readonly<z.infer<S>> {
  // Empty strings mean "not set": docker-compose and k8s render unset variables as "".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return Object.freeze(result.data);
}

const port = z.coerce.number().int().min(1).max(65535);
const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** Fields every service shares. Names are the contract with docker-compose.yml and deploy/k8s. */
export const httpFields = (defaultPort: number) => ({
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(defaultPort),
});

export const kafkaFields = {
  KAFKA_BROKERS: csv.pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
};

export const dbFields = {
  DB_HOST: z.string().default('127.0.0.1'),
  DB_PORT: port.default(3306),
  DB_NAME: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only'),
  DB_USER: z.string().min(1),
  DB_PASSWORD: z.string().default(''),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
};

/** Shared secret on internal (service-to-service) endpoints; at least 32 characters. */
export const internalFields = {
  INTERNAL_API_TOKEN: z.string().min(32, 'must be at least 32 characters'),
};

/** Logs and telemetry: pino's level, and where to export trace spans (OTLP/HTTP; unset = no export). */
export const logFields = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
};

export { z };
