import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { HealthController, INTERNAL_API_TOKEN, InternalTokenGuard, LifecycleState, ObservabilityModule, READINESS_CHECKS } from '@taskize/http';
import { createHmac } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AccountsStore } from './accounts/accounts.store';
import { AdminSessions } from './admin/admin-session';
import { AdminController } from './admin/admin.controller';
import { AdminStore } from './admin/admin.store';
import { DirectoryClient } from './admin/directory.client';
import { ClientsStore } from './clients/clients.store';
import { type AuthConfig, kafkaBrokers, oauthSettings } from './config';
import { ACCOUNT_LINKS_INTERVAL_MS, ACCOUNT_LINKS_PUBLISHER, AccountLinksPublisher } from './directory-sync/account-links.publisher';
import { ACCOUNT_STATUS_EVENT_TYPES, ACCOUNT_STATUS_MENTIONS, DIRECTORY_STATUS_CONSUMER, DirectoryStatusSubscriber } from './directory-sync/directory-status.subscriber';
import { ConnectionsStore } from './connections/connections.store';
import { dataSourceOptions } from './data-source';
import { MysqlReadiness } from '@taskize/db';
import { IdentityEventsConsumer, Publisher, createKafka } from '@taskize/kafka';
import { TOPICS } from '@taskize/topics';
import { FormSecurity } from './interaction/form-security';
import { InteractionController, PUBLIC_ORIGIN } from './interaction/interaction.controller';
import { ThrottleStore } from './interaction/throttle.store';
import { InternalController } from './internal/internal.controller';
import { ExpiredPurge } from './oidc/expired-purge';
import { mysqlAdapter } from './oidc/mysql.adapter';
import { OIDC_PROVIDER } from './oidc/oidc.types';
import { createProvider } from './oidc/provider.factory';
import { loadSigningKeys } from './oidc/signing-keys';
import { OrganisationsStore } from './organisations/organisations.store';
import { ScimTokensStore } from './tokens/scim-tokens.store';

const byDataSource = <T>(make: (ds: DataSource) => T) => ({ useFactory: make, inject: [getDataSourceToken()] });

@Module({})
export class AuthModule {
  static register(cfg: AuthConfig): DynamicModule {
    const oauth = oauthSettings(cfg);
    // Read at start-up so a missing or bad key file fails the boot, not the first sign-in.
    const keys = loadSigningKeys(oauth.signingKeysFile);
    // Form tokens get their own key derived from the newest cookie key (rotating it only voids open sign-ins).
    const formKey = createHmac('sha256', oauth.cookieKeys[0] ?? '').update('interaction-forms').digest('base64url');
    // Accounts out to the directory, identity events back in (issue 5 item 7). Neither is on the sign-in
    // path, so a broker outage delays them without failing readiness.
    const kafka = createKafka({ brokers: kafkaBrokers(cfg), clientId: cfg.KAFKA_CLIENT_ID ?? 'auth' });
    return {
      module: AuthModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'auth', level: cfg.LOG_LEVEL, otlpEndpoint: cfg.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT }),
        TypeOrmModule.forRoot(dataSourceOptions(cfg)),
      ],
      controllers: [InternalController, HealthController, InteractionController, AdminController],
      providers: [
        { provide: INTERNAL_API_TOKEN, useValue: cfg.INTERNAL_API_TOKEN },
        InternalTokenGuard,
        LifecycleState,
        MysqlReadiness,
        { provide: READINESS_CHECKS, useFactory: (m: MysqlReadiness) => [m], inject: [MysqlReadiness] },
        { provide: OrganisationsStore, ...byDataSource((ds) => new OrganisationsStore(ds)) },
        { provide: ScimTokensStore, ...byDataSource((ds) => new ScimTokensStore(ds)) },
        { provide: AccountsStore, ...byDataSource((ds) => new AccountsStore(ds)) },
        { provide: ClientsStore, ...byDataSource((ds) => new ClientsStore(ds, oauth.clientSecretKey)) },
        { provide: ConnectionsStore, ...byDataSource((ds) => new ConnectionsStore(ds)) },
        { provide: ThrottleStore, ...byDataSource((ds) => new ThrottleStore(ds)) },
        { provide: ExpiredPurge, ...byDataSource((ds) => new ExpiredPurge(ds)) },
        { provide: FormSecurity, useValue: new FormSecurity(formKey) },
        { provide: AdminStore, ...byDataSource((ds) => new AdminStore(ds)) },
        { provide: AdminSessions, useValue: new AdminSessions(oauth.cookieKeys) },
        { provide: DirectoryClient, useValue: new DirectoryClient(cfg.DIRECTORY_URL, cfg.INTERNAL_API_TOKEN) },
        { provide: PUBLIC_ORIGIN, useValue: new URL(oauth.publicUrl).origin },
        { provide: ACCOUNT_LINKS_PUBLISHER, useValue: new Publisher(kafka) },
        { provide: ACCOUNT_LINKS_INTERVAL_MS, useValue: cfg.DIRECTORY_LINK_INTERVAL_MS },
        AccountLinksPublisher,
        {
          provide: DIRECTORY_STATUS_CONSUMER,
          // Batched fetches (one per 500 ms, not one per event): a deactivation reaches sign-in within a second.
          useValue: new IdentityEventsConsumer(kafka, {
            groupId: cfg.KAFKA_GROUP_ID,
            topic: TOPICS.identityEvents.name,
            fromBeginning: true,
            types: ACCOUNT_STATUS_EVENT_TYPES,
            mentions: ACCOUNT_STATUS_MENTIONS,
            batchWaitMs: 500,
          }),
        },
        DirectoryStatusSubscriber,
        {
          provide: OIDC_PROVIDER,
          useFactory: (ds: DataSource, accounts: AccountsStore, clients: ClientsStore) =>
            createProvider({ settings: oauth, keys, adapter: mysqlAdapter(ds, clients), accounts }),
          inject: [getDataSourceToken(), AccountsStore, ClientsStore],
        },
      ],
    };
  }
}
