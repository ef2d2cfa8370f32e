import { mysqlOptions, type MysqlPoolFlags } from '@taskize/db';
import type { MysqlConnectionOptions } from 'typeorm/driver/mysql/MysqlConnectionOptions';
import type { DirectoryConfig } from './config';
import { GroupEntity, GroupMemberEntity } from './groups/group.entity';
import { CreateUsers1764446400000 } from './migrations/1764446400000-create-users';
import { CreateGroups1764460000000 } from './migrations/1764460000000-create-groups';
import { UserEmailsAndCounters1764470000000 } from './migrations/1764470000000-user-emails-and-counters';
import { CreateOutbox1764480000000 } from './migrations/1764480000000-create-outbox';
import { ActivityIndexes1764500000000 } from './migrations/1764500000000-activity-indexes';
import { UserAccounts1764510000000 } from './migrations/1764510000000-user-accounts';
import { NarrowPagingIndexes1764490000000 } from './migrations/1764490000000-narrow-paging-indexes';
import { ProcessedEventEntity } from './provisioning/processed-event.entity';
import { UserEntity } from './users/user.entity';

/** The directory owns the `taskize_directory` schema. */
/**
 * The applier's own pool: multi-statement round trips (StatementBatch), one connection per partition applied
 * at once. Kept apart so the read API, which turns SCIM filters into SQL, never runs on such a connection.
 */
export const WRITER = 'writer';

export function writerDataSourceOptions(cfg: DirectoryConfig): MysqlConnectionOptions {
  return { ...dataSourceOptions(cfg, { multipleStatements: true, poolSize: cfg.APPLY_PARTITIONS_CONCURRENTLY }), name: WRITER };
}

export function dataSourceOptions(cfg: DirectoryConfig, opts: MysqlPoolFlags = {}): MysqlConnectionOptions {
  return mysqlOptions(cfg, [UserEntity, ProcessedEventEntity, GroupEntity, GroupMemberEntity], [CreateUsers1764446400000, CreateGroups1764460000000, UserEmailsAndCounters1764470000000, CreateOutbox1764480000000, NarrowPagingIndexes1764490000000, ActivityIndexes1764500000000, UserAccounts1764510000000], opts);
}
