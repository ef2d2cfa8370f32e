import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Mirrors migrations/1764446400000-create-users.ts; hot paths use plain SQL (users.store.ts). */
@Entity({ name: 'users' })
@Index('uq_users_tenant_user_name', ['tenantId', 'userNameLower'], { unique: true })
@Index('uq_users_tenant_account', ['tenantId', 'accountId'], { unique: true })
export class UserEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'char', length: 36 }) tenantId!: string;
  @PrimaryColumn({ name: 'id', type: 'char', length: 36 }) id!: string;
  @Column({ name: 'user_name', type: 'varchar', length: 255 }) userName!: string;
  @Column({ name: 'user_name_lower', type: 'varchar', length: 255 }) userNameLower!: string;
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true }) externalId!: string | null;
  @Column({ name: 'display_name_lower', type: 'varchar', length: 255, nullable: true }) displayNameLower!: string | null;
  @Column({ name: 'active', type: 'tinyint' }) active!: number;
  @Column({ name: 'resource', type: 'mediumtext' }) resource!: string;
  @Column({ name: 'version', type: 'int', unsigned: true }) version!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'last_modified', type: 'datetime', precision: 3 }) lastModified!: Date;
  @Column({ name: 'account_id', type: 'char', length: 36, nullable: true }) accountId!: string | null;
}
