import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimExceptionFilter, configureScimFastify, createFastifyAdapter, exitCleanlyOnSignals, useObservability } from '@taskize/http';
import { AuthModule } from './app.module';
import { loadConfig } from './config';
import { OIDC_PROVIDER, type OidcProvider } from './oidc/oidc.types';
import { mountProvider } from './oidc/provider.factory';

/** Internal API bodies are small (a token lookup); sign-in forms are smaller still. */
const BODY_LIMIT_BYTES = 64 * 1024;
const FORM_LIMIT_BYTES = 16 * 1024;

async function bootstrap() {
  const cfg = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(AuthModule.register(cfg), createFastifyAdapter({ bodyLimitBytes: BODY_LIMIT_BYTES }), { bodyParser: false, bufferLogs: true });
  useObservability(app);
  configureScimFastify(app, BODY_LIMIT_BYTES);
  const fastify = app.getHttpAdapter().getInstance();
  // The sign-in pages post HTML forms. A repeated field keeps its first value, never becomes an array.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_req, body, done) => {
    const form: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(String(body))) if (!(k in form)) form[k] = v;
    done(null, form);
  });
  // Before app.listen initialises Nest's routes: the provider owns /oauth/* only.
  mountProvider(fastify, app.get<OidcProvider>(OIDC_PROVIDER));
  app.useGlobalFilters(new ScimExceptionFilter('application/json'));
  await app.listen(cfg.HTTP_PORT, cfg.HTTP_HOST);
  exitCleanlyOnSignals(app);
  new Logger('auth').log(`listening on http://${cfg.HTTP_HOST}:${cfg.HTTP_PORT}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
