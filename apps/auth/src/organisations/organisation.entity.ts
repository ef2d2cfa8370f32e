import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PLANS = ['free', 'team', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

@Entity({ name: 'organisations' })
export class OrganisationEntity {
  @PrimaryColumn({ type: 'char', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 63, unique: true }) slug!: string;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'varchar', length: 16 }) plan!: Plan;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
