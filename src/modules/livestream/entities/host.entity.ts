import { Column, Entity } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

export enum HostKind {
  PartySecretary = 'PARTY_SECRETARY',
  FirstSecretary = 'FIRST_SECRETARY',
  Cadre = 'CADRE',
  Media = 'MEDIA',
  Influencer = 'INFLUENCER',
}

@Entity('live_hosts')
export class HostEntity {
  @IdColumn() id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 24 })
  kind: HostKind;

  @Column({ name: 'region_code', type: 'varchar', length: 32, nullable: true })
  regionCode: string | null;

  @Column({ name: 'user_id', type: 'char', length: 26, nullable: true })
  userId: string | null;

  @CreatedAt() createdAt: Date;
}
