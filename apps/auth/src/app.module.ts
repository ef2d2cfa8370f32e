import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { HealthController, INTERNAL_API_TOKEN, InternalTokenGuard, LifecycleState, READINESS_CHECKS } from '@taskize/http';
import type { DataSource } from 'typeorm';
import type { AuthConfig } from './config';
import { dataSourceOptions } from './data-source';
import { MysqlReadiness } from '@taskize/db';
import { InternalController } from './internal/internal.controller';
import { OrganisationsStore } from './organisations/organisations.store';
import { ScimTokensStore } from './tokens/scim-tokens.store';

@Module({})
export class AuthModule {
  static register(cfg: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(cfg))],
      controllers: [InternalController, HealthController],
      providers: [
        { provide: INTERNAL_API_TOKEN, useValue: cfg.INTERNAL_API_TOKEN },
        InternalTokenGuard,
        LifecycleState,
        MysqlReadiness,
        { provide: READINESS_CHECKS, useFactory: (m: MysqlReadiness) => [m], inject: [MysqlReadiness] },
        { provide: OrganisationsStore, useFactory: (ds: DataSource) => new OrganisationsStore(ds), inject: [getDataSourceToken()] },
        { provide: ScimTokensStore, useFactory: (ds: DataSource) => new ScimTokensStore(ds), inject: [getDataSourceToken()] },
      ],
    };
  }
}
