import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimExceptionFilter, configureScimFastify, createFastifyAdapter, exitCleanlyOnSignals } from '@taskize/http';
import { AuthModule } from './app.module';
import { loadConfig } from './config';

/** Internal API bodies are small (a token lookup). */
const BODY_LIMIT_BYTES = 64 * 1024;

async function bootstrap() {
  const cfg = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(AuthModule.register(cfg), createFastifyAdapter({ bodyLimitBytes: BODY_LIMIT_BYTES }), { bodyParser: false });
  configureScimFastify(app, BODY_LIMIT_BYTES);
  app.useGlobalFilters(new ScimExceptionFilter('application/json'));
  await app.listen(cfg.HTTP_PORT, cfg.HTTP_HOST);
  exitCleanlyOnSignals(app);
  new Logger('auth').log(`listening on http://${cfg.HTTP_HOST}:${cfg.HTTP_PORT}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
