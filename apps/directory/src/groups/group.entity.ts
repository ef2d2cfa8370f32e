import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Mirrors migrations/1764460000000-create-groups.ts; hot paths use plain SQL (groups.store.ts). */
@Entity({ name: 'scim_groups' })
export class GroupEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'char', length: 36 }) tenantId!: string;
  @PrimaryColumn({ name: 'id', type: 'char', length: 36 }) id!: string;
  @Column({ name: 'display_name', type: 'varchar', length: 255 }) displayName!: string;
  @Column({ name: 'display_name_lower', type: 'varchar', length: 255 }) displayNameLower!: string;
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true }) externalId!: string | null;
  @Column({ name: 'version', type: 'int', unsigned: true }) version!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'last_modified', type: 'datetime', precision: 3 }) lastModified!: Date;
}

@Entity({ name: 'group_members' })
export class GroupMemberEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'char', length: 36 }) tenantId!: string;
  @PrimaryColumn({ name: 'group_id', type: 'char', length: 36 }) groupId!: string;
  @PrimaryColumn({ name: 'member_id', type: 'char', length: 36 }) memberId!: string;
  @Column({ name: 'member_type', type: 'varchar', length: 5 }) memberType!: 'User' | 'Group';
}
