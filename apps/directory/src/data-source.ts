import { mysqlOptions } from '@taskize/db';
import type { MysqlConnectionOptions } from 'typeorm/driver/mysql/MysqlConnectionOptions';
import type { DirectoryConfig } from './config';
import { CreateUsers1764446400000 } from './migrations/1764446400000-create-users';
import { ProcessedEventEntity } from './provisioning/processed-event.entity';
import { UserEntity } from './users/user.entity';

/** The directory owns the `taskize_directory` schema. */
export function dataSourceOptions(cfg: DirectoryConfig, opts: { migrations?: boolean } = {}): MysqlConnectionOptions {
  return mysqlOptions(cfg, [UserEntity, ProcessedEventEntity], [CreateUsers1764446400000], opts);
}
