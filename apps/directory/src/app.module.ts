import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthController, INTERNAL_API_TOKEN, InternalTokenGuard, LifecycleState, ObservabilityModule, READINESS_CHECKS } from '@taskize/http';
import { KafkaBatchServer, KafkaReadiness, createKafka } from '@taskize/kafka';
import type { Kafka } from 'kafkajs';
import type { DirectoryConfig } from './config';
import { KAFKA } from './kafka.token';
import { OutboxRelay } from './outbox/outbox.relay';
import { OutboxWriter } from './outbox/outbox.writer';
import { ProcessedEventsRetention } from './provisioning/processed-events.retention';
import { CONFIG } from './shared/tokens';
import { dataSourceOptions, writerDataSourceOptions } from './data-source';
import { MysqlReadiness } from '@taskize/db';
import { ProvisioningApplier } from './provisioning/provisioning.applier';
import { ProvisioningController } from './provisioning/provisioning.controller';
import { ActivityController } from './read-api/activity.controller';
import { ReadApiController } from './read-api/read-api.controller';
import { GroupsStore } from './groups/groups.store';
import { UsersStore } from './users/users.store';

@Module({})
export class DirectoryModule {
  static register(cfg: DirectoryConfig): DynamicModule {
    return {
      module: DirectoryModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'directory', level: cfg.LOG_LEVEL, otlpEndpoint: cfg.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }),
        TypeOrmModule.forRoot(dataSourceOptions(cfg)),
        TypeOrmModule.forRoot(writerDataSourceOptions(cfg)),
      ],
      controllers: [ProvisioningController, ReadApiController, ActivityController, HealthController],
      providers: [
        { provide: CONFIG, useValue: cfg },
        { provide: INTERNAL_API_TOKEN, useValue: cfg.INTERNAL_API_TOKEN },
        { provide: KAFKA, useValue: createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: cfg.KAFKA_CLIENT_ID ?? 'directory' }) },
        InternalTokenGuard,
        LifecycleState,
        UsersStore,
        GroupsStore,
        OutboxWriter,
        OutboxRelay,
        ProcessedEventsRetention,
        ProvisioningApplier,
        MysqlReadiness,
        { provide: KafkaReadiness, useFactory: (kafka: Kafka) => new KafkaReadiness(kafka), inject: [KAFKA] },
        {
          provide: KafkaBatchServer,
          useFactory: (kafka: Kafka) =>
            new KafkaBatchServer(kafka, { groupId: cfg.KAFKA_GROUP_ID, chunkSize: cfg.APPLY_CHUNK_SIZE, partitionsConcurrently: cfg.APPLY_PARTITIONS_CONCURRENTLY }),
          inject: [KAFKA],
        },
        {
          provide: READINESS_CHECKS,
          useFactory: (m: MysqlReadiness, k: KafkaReadiness, server: KafkaBatchServer) => [
            m,
            k,
            // Alive but not consuming answers nothing: not ready (MySQL and the broker may both be fine).
            {
              name: 'consumer',
              check: async () => {
                if (!server.consuming) throw new Error('not consuming provisioning events');
              },
            },
          ],
          inject: [MysqlReadiness, KafkaReadiness, KafkaBatchServer],
        },
      ],
    };
  }
}
