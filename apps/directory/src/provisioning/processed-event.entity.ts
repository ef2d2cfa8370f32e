import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per applied provisioning event: the dedupe key and the outcome replayed on redelivery. */
@Entity({ name: 'processed_events' })
export class ProcessedEventEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'char', length: 36 }) tenantId!: string;
  @PrimaryColumn({ name: 'event_id', type: 'char', length: 36 }) eventId!: string;
  @Column({ name: 'event_type', type: 'varchar', length: 64 }) eventType!: string;
  @Column({ name: 'status', type: 'smallint', unsigned: true }) status!: number;
  @Column({ name: 'outcome', type: 'mediumtext', nullable: true }) outcome!: string | null;
  @Column({ name: 'processed_at', type: 'datetime', precision: 3 }) processedAt!: Date;
}
