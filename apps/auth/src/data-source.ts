import { mysqlOptions } from '@taskize/db';
import type { MysqlConnectionOptions } from 'typeorm/driver/mysql/MysqlConnectionOptions';
import type { AuthConfig } from './config';
import { CreateOrganisations1764446500000 } from './migrations/1764446500000-create-organisations';
import { CreateOauth1764500000000 } from './migrations/1764500000000-create-oauth';
import { MembershipDirectory1764520000000 } from './migrations/1764520000000-membership-directory';
import { OrganisationEntity } from './organisations/organisation.entity';
import { ScimTokenEntity } from './tokens/scim-token.entity';

/** The auth service owns the `taskize_auth` schema. */
export function dataSourceOptions(cfg: AuthConfig, opts: { migrations?: boolean } = {}): MysqlConnectionOptions {
  return mysqlOptions(cfg, [OrganisationEntity, ScimTokenEntity], [CreateOrganisations1764446500000, CreateOauth1764500000000, MembershipDirectory1764520000000], opts);
}
