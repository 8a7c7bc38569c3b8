import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';

export enum SiteType {
  Government = 'GOVERNMENT',
  Cbd = 'CBD',
  Campus = 'CAMPUS',
  Hospital = 'HOSPITAL',
  Transport = 'TRANSPORT',
  Other = 'OTHER',
}

export enum CabinetStatus {
  Online = 'ONLINE',
  Offline = 'OFFLINE',
  Maintenance = 'MAINTENANCE',
}

/** A smart cabinet (消费扶贫智能专柜) on the broker; its device secret is encrypted at rest. */
@Entity('cabinets')
export class CabinetEntity {
  @IdColumn() id: string;

  @Index('uq_cabinets_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'site_type', type: 'varchar', length: 16 })
  siteType: SiteType;

  @Column({ type: 'varchar', length: 255 })
  address: string;

  @Column({ name: 'device_secret_enc', type: 'varchar', length: 255 })
  deviceSecretEnc: string;

  @Column({ type: 'varchar', length: 12 })
  status: CabinetStatus;

  @Column({ name: 'maintenance_reason', type: 'varchar', length: 255, nullable: true })
  maintenanceReason: string | null;

  @Column({ name: 'last_seen_at', type: 'datetime', precision: 3, nullable: true })
  lastSeenAt: Date | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
