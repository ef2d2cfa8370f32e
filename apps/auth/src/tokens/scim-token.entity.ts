import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'scim_tokens' })
export class ScimTokenEntity {
  @PrimaryColumn({ type: 'char', length: 36 }) id!: string;
  @Column({ name: 'organisation_id', type: 'char', length: 36 }) organisationId!: string;
  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true }) tokenHash!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) label!: string | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true }) revokedAt!: Date | null;
}
