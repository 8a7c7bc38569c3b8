import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

export enum OrganizationType {
  BudgetUnit = 'BUDGET_UNIT',
  DistrictGroup = 'DISTRICT_GROUP',
  MunicipalGroup = 'MUNICIPAL_GROUP',
  PublicInstitution = 'PUBLIC_INSTITUTION',
  StateEnterprise = 'STATE_ENTERPRISE',
  PrivateEnterprise = 'PRIVATE_ENTERPRISE',
  Union = 'UNION',
}

@Entity('organizations')
export class OrganizationEntity {
  @IdColumn() id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 24 })
  type: OrganizationType;

  /** The assistance group (or supervising organization) it belongs to. */
  @Column({ name: 'parent_id', type: 'char', length: 26, nullable: true })
  parentId: string | null;

  /** Whether it runs a canteen: only then can it declare a reserved share of its canteen food purchases. */
  @Column({ name: 'has_canteen', type: 'boolean', default: false })
  hasCanteen: boolean;

  /** The department (系统) it reports under, for the district's monthly progress report. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  department: string | null;

  @CreatedAt() createdAt: Date;
}

/** A village an organization is paired with to assist (结对帮扶). */
@Entity('organization_villages')
export class OrganizationVillageEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'char', length: 26 })
  organizationId: string;

  @Index('ix_organization_villages_village')
  @PrimaryColumn({ name: 'village_code', type: 'varchar', length: 32 })
  villageCode: string;
}
