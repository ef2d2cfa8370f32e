import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimExceptionFilter, configureScimFastify, createFastifyAdapter, exitCleanlyOnSignals, useObservability } from '@taskize/http';
import { GatewayModule } from './app.module';
import { loadConfig } from './config';
import { installLoadShedding } from './shared/load-shedding';
import { installScimMetrics } from './shared/scim-metrics';

async function bootstrap() {
  const cfg = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(cfg), createFastifyAdapter({ bodyLimitBytes: cfg.BODY_LIMIT_BYTES }), { bodyParser: false, bufferLogs: true });
  useObservability(app);
  configureScimFastify(app, cfg.BODY_LIMIT_BYTES);
  installScimMetrics(app.getHttpAdapter().getInstance());
  installLoadShedding(app.getHttpAdapter().getInstance(), { maxInFlight: cfg.MAX_IN_FLIGHT_REQUESTS, retryAfterSeconds: cfg.RETRY_AFTER_SECONDS });
  app.useGlobalFilters(new ScimExceptionFilter());
  await app.listen(cfg.HTTP_PORT, cfg.HTTP_HOST);
  exitCleanlyOnSignals(app);
  new Logger('scim-gateway').log(`SCIM base URL ${cfg.PUBLIC_BASE_URL} (listening on http://${cfg.HTTP_HOST}:${cfg.HTTP_PORT})`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
