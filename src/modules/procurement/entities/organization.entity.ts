import { Column, Entity } from 'typeorm';
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

  @Column({ name: 'parent_id', type: 'char', length: 26, nullable: true })
  parentId: string | null;

  @CreatedAt() createdAt: Date;
}
