import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimExceptionFilter, configureScimFastify, createFastifyAdapter, exitCleanlyOnSignals, useObservability } from '@taskize/http';
import { KafkaBatchServer } from '@taskize/kafka';
import { DirectoryModule } from './app.module';
import { loadConfig } from './config';

/** Internal API bodies are small (a token lookup). */
const BODY_LIMIT_BYTES = 64 * 1024;

async function bootstrap() {
  const cfg = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(DirectoryModule.register(cfg), createFastifyAdapter({ bodyLimitBytes: BODY_LIMIT_BYTES }), { bodyParser: false, bufferLogs: true });
  useObservability(app);
  configureScimFastify(app, BODY_LIMIT_BYTES);
  app.useGlobalFilters(new ScimExceptionFilter('application/json'));
  app.connectMicroservice({ strategy: app.get(KafkaBatchServer) }, { inheritAppConfig: true });
  // Bind HTTP before joining the consumer group: a process that cannot serve (port taken) must not
  // hold partitions until its session times out.
  await app.listen(cfg.HTTP_PORT, cfg.HTTP_HOST);
  exitCleanlyOnSignals(app);
  try {
    await app.startAllMicroservices();
  } catch (error) {
    await app.close();
    throw error;
  }
  new Logger('directory').log(`listening on http://${cfg.HTTP_HOST}:${cfg.HTTP_PORT}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
