import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, RefColumn, UpdatedAt } from '@/common/entity-columns';

export enum LiveSessionStatus {
  Scheduled = 'SCHEDULED',
  Live = 'LIVE',
  Ended = 'ENDED',
}

/** Where a session is broadcast; its orders come through our share link whatever the platform. */
export enum LivePlatform {
  Own = 'OWN',
  Douyin = 'DOUYIN',
  Kuaishou = 'KUAISHOU',
  WechatChannels = 'WECHAT_CHANNELS',
}

/** A livestream sale (直播带货): a host sells its offers to viewers from SCHEDULED to LIVE to ENDED. */
@Entity('live_sessions')
@Index('ix_live_sessions_host', ['hostId', 'scheduledAt'])
export class LiveSessionEntity {
  @IdColumn() id: string;

  @RefColumn('host_id') hostId: string;

  @Column({ type: 'varchar', length: 128 })
  title: string;

  @Column({ type: 'varchar', length: 24 })
  platform: LivePlatform;

  @Column({ type: 'varchar', length: 16 })
  status: LiveSessionStatus;

  @Column({ name: 'scheduled_at', type: 'datetime', precision: 3 })
  scheduledAt: Date;

  @Column({ name: 'started_at', type: 'datetime', precision: 3, nullable: true })
  startedAt: Date | null;

  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
