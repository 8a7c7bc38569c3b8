import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';
import { Role } from '@/common/auth/role';

@Entity('users')
export class UserEntity {
  @IdColumn() id: string;

  @Index('uq_users_username', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 100, nullable: true })
  passwordHash: string | null;

  @Column({ type: 'simple-array' })
  roles: Role[];

  @Column({ name: 'phone_enc', type: 'varchar', length: 255, nullable: true })
  phoneEnc: string | null;

  @Index('uq_users_phone_hash', { unique: true })
  @Column({ name: 'phone_hash', type: 'char', length: 64, nullable: true })
  phoneHash: string | null;

  @Column({ name: 'organization_id', type: 'char', length: 26, nullable: true })
  organizationId: string | null;

  @Column({ name: 'host_id', type: 'char', length: 26, nullable: true })
  hostId: string | null;

  @Column({ name: 'supplier_id', type: 'char', length: 26, nullable: true })
  supplierId: string | null;

  @Column({ name: 'region_code', type: 'varchar', length: 32, nullable: true })
  regionCode: string | null;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
