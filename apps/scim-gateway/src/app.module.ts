import { type DynamicModule, Module } from '@nestjs/common';
import { HealthController, LifecycleState, ObservabilityModule, READINESS_CHECKS } from '@taskize/http';
import { KafkaReadiness, createKafka } from '@taskize/kafka';
import type { Kafka } from 'kafkajs';
import { AccessTokenVerifier } from './auth/access-token.verifier';
import { AuthClient } from './auth/auth.client';
import { BearerTokenGuard } from './auth/bearer-token.guard';
import { ConnectionClient } from './auth/connection.client';
import type { GatewayConfig } from './config';
import { DirectoryClient } from './directory/directory.client';
import { DiscoveryController } from './discovery/discovery.controller';
import { GroupsController } from './groups/groups.controller';
import { HttpReadiness } from './health/readiness';
import { ProvisioningService } from './provisioning/provisioning.service';
import { tenantRateLimitProvider } from './rate-limit/tenant-rate-limit.interceptor';
import { CONFIG, KAFKA } from './shared/tokens';
import { UsersController } from './users/users.controller';

@Module({})
export class GatewayModule {
  static register(cfg: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ObservabilityModule.forRoot({ service: 'scim-gateway', level: cfg.LOG_LEVEL, otlpEndpoint: cfg.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT })],
      controllers: [UsersController, GroupsController, DiscoveryController, HealthController],
      providers: [
        { provide: CONFIG, useValue: cfg },
        { provide: KAFKA, useValue: createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: cfg.KAFKA_CLIENT_ID ?? `scim-gateway-${cfg.INSTANCE_ID}` }) },
        LifecycleState,
        AuthClient,
        AccessTokenVerifier,
        ConnectionClient,
        BearerTokenGuard,
        DirectoryClient,
        ProvisioningService,
        tenantRateLimitProvider,
        { provide: KafkaReadiness, useFactory: (kafka: Kafka) => new KafkaReadiness(kafka), inject: [KAFKA] },
        {
          provide: READINESS_CHECKS,
          useFactory: (k: KafkaReadiness) => [
            k,
            new HttpReadiness('directory', `${cfg.DIRECTORY_URL}/healthz`),
            new HttpReadiness('auth', `${cfg.AUTH_URL}/healthz`),
            // OAuth access tokens are verified against this key set: without it Okta's requests would all fail.
            new HttpReadiness('jwks', cfg.AUTH_JWKS_URL),
          ],
          inject: [KafkaReadiness],
        },
      ],
    };
  }
}
