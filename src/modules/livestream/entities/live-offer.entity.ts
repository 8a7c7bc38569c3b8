import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAt, IdColumn, RefColumn } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

/**
 * A product offered in a session at a live price. Its `stock` units were carved out of supply lots when the
 * session was created (see LiveOfferLotEntity) and are numbered 1..stock; a unit held by an order has a
 * LiveOfferUnitEntity row. At the end, units neither sold nor reserved go back to their lots (`returned`).
 */
@Entity('live_offers')
@Index('ix_live_offers_session', ['sessionId'])
export class LiveOfferEntity {
  @IdColumn() id: string;

  @RefColumn('session_id') sessionId: string;

  @RefColumn('product_id') productId: string;

  @MoneyColumn({ name: 'live_price_fen' })
  livePriceFen: number;

  @Column({ type: 'int' })
  stock: number;

  /** Units one buyer may hold (reserved or paid); null for no limit. */
  @Column({ name: 'per_buyer_limit', type: 'int', nullable: true })
  perBuyerLimit: number | null;

  /** The seller's code (商家编码) the host also gives the product on the platforms. */
  @Column({ name: 'merchant_code', type: 'varchar', length: 64, nullable: true })
  merchantCode: string | null;

  /** The platform's product id (商品ID) the host mapped to this offer, for exports without a merchant code. */
  @Column({ name: 'platform_product_id', type: 'varchar', length: 64, nullable: true })
  platformProductId: string | null;

  /** 1 while the session is LIVE: the guard of every unit an order takes. */
  @Column({ name: 'on_sale', type: 'tinyint', unsigned: true, default: 0 })
  onSale: number;

  /** Units given back to their lots since the session ended. */
  @Column({ type: 'int', default: 0 })
  returned: number;

  @CreatedAt() createdAt: Date;
}

/** Which lot a run of an offer's unit numbers came from: units firstUnit .. firstUnit + units - 1. */
@Entity('live_offer_lots')
export class LiveOfferLotEntity {
  @PrimaryColumn({ name: 'offer_id', type: 'char', length: 26 })
  offerId: string;

  @PrimaryColumn({ name: 'first_unit', type: 'int' })
  firstUnit: number;

  @RefColumn('lot_id') lotId: string;

  @Column({ type: 'int' })
  units: number;
}

/** A unit of an offer held by an order (reserved while it awaits payment, sold once paid). */
@Entity('live_offer_units')
@Index('ix_live_offer_units_order', ['orderId'])
export class LiveOfferUnitEntity {
  @PrimaryColumn({ name: 'offer_id', type: 'char', length: 26 })
  offerId: string;

  @PrimaryColumn({ name: 'unit_no', type: 'int', unsigned: true })
  unitNo: number;

  @RefColumn('order_id') orderId: string;
}

/** What a buyer may still take of an offer with a per-buyer limit; never below zero (the limit's guard). */
@Entity('live_offer_buyers')
export class LiveOfferBuyerEntity {
  @PrimaryColumn({ name: 'offer_id', type: 'char', length: 26 })
  offerId: string;

  @PrimaryColumn({ name: 'buyer_user_id', type: 'char', length: 26 })
  buyerUserId: string;

  @Column({ name: 'units_left', type: 'int', unsigned: true })
  unitsLeft: number;
}

/** An order of a session (placed through its share link, or imported from a platform export). */
@Entity('live_orders')
@Index('ix_live_orders_session', ['sessionId'])
export class LiveOrderEntity {
  @PrimaryColumn({ name: 'order_id', type: 'char', length: 26 })
  orderId: string;

  @RefColumn('session_id') sessionId: string;

  @RefColumn('offer_id') offerId: string;

  @RefColumn('buyer_user_id') buyerUserId: string;

  @Column({ type: 'int' })
  units: number;

  @Column({ type: 'tinyint', unsigned: true, default: 0 })
  external: number;
}
