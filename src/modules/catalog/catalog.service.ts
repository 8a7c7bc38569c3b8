import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { AuthUser } from '@/common/auth/role';
import { DomainError, NotFoundError, ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { MicroCache } from '@/common/micro-cache';
import { Env, ENV } from '@/config/env';
import { fenTransformer } from '@/common/money';
import { Page } from '@/common/pagination';
import { businessDate } from '@/common/time';
import { errorCode, Statement, withTransaction } from '@/infrastructure/database/transaction';
import { HouseholdsService } from '@/modules/households/households.service';
import { RegionsService } from '@/modules/regions/regions.service';
import { SupplierType } from '@/modules/suppliers/entities/supplier.entity';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import {
  CreateLotDto,
  CreateProductDto,
  LotView,
  mapLot,
  mapProduct,
  ProductListQuery,
  ProductView,
  certificationStatus,
} from './dto/catalog.dto';
import { LotSourceEntity } from './entities/lot-source.entity';
import { ProductEntity, ProductStatus } from './entities/product.entity';
import { SupplyLotEntity } from './entities/supply-lot.entity';

@Injectable()
export class CatalogService {
  private readonly listCache: MicroCache<Page<ProductView>>;

  constructor(
    @Inject(ENV) env: Env,
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    @InjectRepository(SupplyLotEntity) private readonly lots: Repository<SupplyLotEntity>,
    @InjectRepository(LotSourceEntity) private readonly sources: Repository<LotSourceEntity>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
    @Inject(RegionsService) private readonly regions: RegionsService,
  ) {
    this.listCache = new MicroCache(env.CATALOG_CACHE_MS);
  }

  async createProduct(user: AuthUser, dto: CreateProductDto): Promise<ProductView> {
    this.suppliers.assertOwn(user, dto.supplierId);
    if (!(await this.suppliers.exists(dto.supplierId))) {
      throw new ValidationFailedError([
        { field: 'supplierId', message: 'supplierId must name an existing supplier' },
      ]);
    }
    await this.regions.requireVillage(dto.originVillageCode, 'originVillageCode');
    if (dto.certifiedUntil && !dto.certificateNo) {
      throw new ValidationFailedError([
        { field: 'certificateNo', message: 'certifiedUntil needs a certificateNo' },
      ]);
    }
    const today = businessDate();
    const p = this.products.create({
      id: newId(),
      name: dto.name,
      category: dto.category,
      unit: dto.unit,
      priceFen: dto.priceFen,
      supplierId: dto.supplierId,
      originVillageCode: dto.originVillageCode,
      certificateNo: dto.certificateNo ?? null,
      certifiedUntil: dto.certifiedUntil ?? null,
      status: ProductStatus.Uncertified,
    });
    p.status = certificationStatus(p, today);
    await this.products.insert(p);
    this.listCache.clear();
    return mapProduct(p, 0, today);
  }

  /**
   * The public catalog, the hottest read: one SQL statement with each product's stock as a correlated sum
   * over its lots (index on product_id), mapped straight from raw rows.
   */
  listProducts(q: ProductListQuery): Promise<Page<ProductView>> {
    const key = JSON.stringify([q.category, q.q, q.supplierId, q.status, q.cursor, q.limit]);
    return this.listCache.get(key, () => this.queryProducts(q));
  }

  private async queryProducts(q: ProductListQuery): Promise<Page<ProductView>> {
    const today = businessDate();
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.category) {
      where.push('p.category = ?');
      params.push(q.category);
    }
    if (q.q) {
      where.push('p.name LIKE ?');
      params.push(`%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    }
    if (q.supplierId) {
      where.push('p.supplier_id = ?');
      params.push(q.supplierId);
    }
    if (q.status === ProductStatus.Certified) {
      where.push('p.certificate_no IS NOT NULL AND (p.certified_until IS NULL OR p.certified_until >= ?)');
      params.push(today);
    } else if (q.status === ProductStatus.Uncertified) {
      where.push('(p.certificate_no IS NULL OR p.certified_until < ?)');
      params.push(today);
    }
    if (q.cursor) {
      where.push('p.id > ?');
      params.push(q.cursor);
    }
    const limit = q.limit ?? 50;
    const rows = (await this.db.query(
      `SELECT p.id, p.name, p.category, p.unit, p.price_fen AS priceFen, p.supplier_id AS supplierId,
              p.origin_village_code AS originVillageCode, p.certificate_no AS certificateNo,
              p.certified_until AS certifiedUntil,
              (SELECT COALESCE(SUM(l.remaining), 0) FROM supply_lots l WHERE l.product_id = p.id AND (l.expires_at IS NULL OR l.expires_at >= ?)) AS stock
         FROM products p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY p.id LIMIT ?`,
      [today, ...params, limit + 1],
    )) as (Omit<ProductView, 'priceFen' | 'stock' | 'status'> & { priceFen: string; stock: string })[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      items: page.map((r) => ({
        id: r.id,
        name: r.name,
        category: r.category,
        unit: r.unit,
        priceFen: fenTransformer.from(r.priceFen) as number,
        supplierId: r.supplierId,
        originVillageCode: r.originVillageCode,
        certificateNo: r.certificateNo,
        certifiedUntil: r.certifiedUntil,
        status: certificationStatus(r, today),
        stock: Number(r.stock),
      })),
      nextCursor: more ? page[page.length - 1].id : null,
    };
  }

  async getProduct(id: string): Promise<ProductView> {
    const p = await this.requireProduct(id);
    const stock = await this.stockOf([id]);
    return mapProduct(p, stock.get(id) ?? 0, businessDate());
  }

  async requireProduct(id: string): Promise<ProductEntity> {
    const p = await this.products.findOne({ where: { id } });
    if (!p) {
      throw new NotFoundError(`Product ${id}`, 'product-not-found');
    }
    return p;
  }

  /** Units on sale per product: the sum of its unexpired lots' remaining quantities. */
  async stockOf(productIds: string[]): Promise<Map<string, number>> {
    if (productIds.length === 0) {
      return new Map();
    }
    const rows = (await this.lots
      .createQueryBuilder('l')
      .select('l.product_id', 'productId')
      .addSelect('SUM(l.remaining)', 'stock')
      .where({ productId: In(productIds) })
      .andWhere('(l.expires_at IS NULL OR l.expires_at >= :today)', { today: businessDate() })
      .groupBy('l.product_id')
      .getRawMany()) as { productId: string; stock: string }[];
    return new Map(rows.map((r) => [r.productId, Number(r.stock)]));
  }

  async createLot(user: AuthUser, productId: string, dto: CreateLotDto): Promise<LotView> {
    const product = await this.requireProduct(productId);
    this.suppliers.assertOwn(user, product.supplierId);
    if (dto.producedAt && dto.expiresAt && dto.expiresAt < dto.producedAt) {
      throw new ValidationFailedError([
        { field: 'expiresAt', message: 'expiresAt must not be before producedAt' },
      ]);
    }
    let sources = dto.sources?.map((s) => ({ householdId: s.householdId, quantity: s.quantity }));
    if (!sources) {
      const supplier = await this.suppliers.get(product.supplierId);
      if (supplier.type === SupplierType.Household && supplier.householdId) {
        sources = [{ householdId: supplier.householdId, quantity: dto.quantity }];
      }
    }
    if (sources) {
      const sum = sources.reduce((a, s) => a + s.quantity, 0);
      if (sum !== dto.quantity) {
        throw new DomainError(
          400,
          'sources-mismatch',
          'Sources do not add up',
          `The sources add up to ${sum}, the lot holds ${dto.quantity}.`,
        );
      }
      const ids = sources.map((s) => s.householdId);
      const dup = ids.findIndex((id, i) => ids.indexOf(id) !== i);
      if (dup >= 0) {
        throw new ValidationFailedError([
          { field: `sources[${dup}].householdId`, message: 'a household may appear once per lot' },
        ]);
      }
      const found = await this.households.findMany(ids);
      const missing = ids.findIndex((id) => !found.has(id));
      if (missing >= 0) {
        throw new ValidationFailedError([
          {
            field: `sources[${missing}].householdId`,
            message: 'householdId must name an existing household',
          },
        ]);
      }
    }
    const lot = this.lots.create({
      id: newId(),
      productId,
      quantity: dto.quantity,
      remaining: dto.quantity,
      producedAt: dto.producedAt ?? null,
      expiresAt: dto.expiresAt ?? null,
    });
    const rows = (sources ?? []).map((s, position) =>
      this.sources.create({
        id: newId(),
        lotId: lot.id,
        householdId: s.householdId,
        quantity: s.quantity,
        position,
      }),
    );
    await withTransaction(this.db, async (em) => {
      await em.insert(SupplyLotEntity, lot);
      if (rows.length) {
        await em.insert(LotSourceEntity, rows);
      }
    });
    this.listCache.clear();
    return mapLot(lot, sources ?? []);
  }

  async lotsOf(productId: string): Promise<LotView[]> {
    await this.requireProduct(productId);
    const lots = await this.lots.find({ where: { productId }, order: { id: 'ASC' } });
    const sources = await this.sourcesOf(lots.map((l) => l.id));
    return lots.map((l) => mapLot(l, sources.get(l.id) ?? []));
  }

  async requireLot(id: string): Promise<SupplyLotEntity> {
    const lot = await this.lots.findOne({ where: { id } });
    if (!lot) {
      throw new NotFoundError(`Lot ${id}`, 'lot-not-found');
    }
    return lot;
  }

  /** Each lot's sources in the order they were listed. */
  async sourcesOf(lotIds: string[]): Promise<Map<string, { householdId: string; quantity: number }[]>> {
    const rows = lotIds.length
      ? await this.sources.find({ where: { lotId: In(lotIds) }, order: { lotId: 'ASC', position: 'ASC' } })
      : [];
    const out = new Map<string, { householdId: string; quantity: number }[]>();
    for (const r of rows) {
      out.set(r.lotId, [...(out.get(r.lotId) ?? []), { householdId: r.householdId, quantity: r.quantity }]);
    }
    return out;
  }

  /**
   * Everything an order needs before it is placed, in one read: the named products (with whether they are
   * certified today) and their unexpired lots with stock, first-expiring first (lots without a date last).
   * Plans every line, counting what the order's earlier lines already planned from the same lot; a line
   * that cannot be filled plans null, a product that does not exist is missing from `products`.
   * With `lockIn`, the read runs inside that transaction and locks the rows it reads (FOR UPDATE): the plan
   * then holds until the transaction ends, so a refusal means the stock really is gone.
   */
  async planOrder(
    lines: readonly { productId: string; quantity: number; lotId?: string }[],
    lockIn?: { run(statements: readonly Statement[]): Promise<unknown[]> },
  ): Promise<OrderPlan> {
    const ids = [...new Set(lines.map((l) => l.productId))];
    const today = businessDate();
    const statement: Statement = [
      `SELECT p.id, p.name, p.price_fen AS priceFen, p.supplier_id AS supplierId, p.certificate_no AS certificateNo,
              p.certified_until AS certifiedUntil, l.id AS lotId, l.remaining
         FROM products p
         LEFT JOIN supply_lots l
           ON l.product_id = p.id AND l.remaining > 0 AND (l.expires_at IS NULL OR l.expires_at >= ?)
        WHERE p.id IN (${ids.map(() => '?').join(',')})
        ORDER BY p.id, l.expires_at IS NULL, l.expires_at, l.id${lockIn ? ' FOR UPDATE' : ''}`,
      [today, ...ids],
    ];
    const rows = (
      lockIn ? (await lockIn.run([statement]))[0] : await this.db.query(statement[0], [...statement[1]!])
    ) as {
      id: string;
      name: string;
      priceFen: string;
      supplierId: string;
      certificateNo: string | null;
      certifiedUntil: string | null;
      lotId: string | null;
      remaining: string | null;
    }[];
    const products: OrderPlan['products'] = new Map();
    const lots = new Map<string, { id: string; remaining: number }[]>();
    for (const r of rows) {
      if (!products.has(r.id)) {
        products.set(r.id, {
          id: r.id,
          name: r.name,
          priceFen: Number(r.priceFen),
          supplierId: r.supplierId,
          certified: certificationStatus(r, today) === ProductStatus.Certified,
        });
        lots.set(r.id, []);
      }
      if (r.lotId) {
        lots.get(r.id)!.push({ id: r.lotId, remaining: Number(r.remaining) });
      }
    }
    const plans = lines.map((l) => {
      const candidates = (lots.get(l.productId) ?? []).filter((lot) => !l.lotId || lot.id === l.lotId);
      const plan = takeFromLots(candidates, l.quantity);
      // What this line takes is not there for the next line of the same order.
      for (const t of plan ?? []) {
        candidates.find((lot) => lot.id === t.lotId)!.remaining -= t.quantity;
      }
      return plan;
    });
    return { products, plans };
  }

  /**
   * The statements that take planned units inside a batched transaction. `remaining` is UNSIGNED, so a
   * decrement below zero is an error (`ER_DATA_OUT_OF_RANGE`, see `isStockTaken`) that stops the batch before
   * its COMMIT: stock never goes negative whatever the concurrency, and the caller plans again.
   */
  takeStockStatements(plan: readonly { lotId: string; quantity: number }[]): Statement[] {
    return plan.map(
      (p) =>
        ['UPDATE supply_lots SET remaining = remaining - ? WHERE id = ?', [p.quantity, p.lotId]] as const,
    );
  }

  /** Puts units back on a lot (a cancelled order), inside the caller's transaction. */
  async returnStock(em: EntityManager, lotId: string, quantity: number): Promise<void> {
    await em.query('UPDATE supply_lots SET remaining = remaining + ? WHERE id = ?', [quantity, lotId]);
    this.listCache.clear();
  }

  /** Brings the stored status in line with certificate validity; returns how many products changed. */
  async sweepCertification(today = businessDate()): Promise<number> {
    const lapsed = await this.products
      .createQueryBuilder()
      .update()
      .set({ status: ProductStatus.Uncertified })
      .where("status = 'CERTIFIED' AND (certificate_no IS NULL OR certified_until < :today)", { today })
      .execute();
    const renewed = await this.products
      .createQueryBuilder()
      .update()
      .set({ status: ProductStatus.Certified })
      .where(
        "status = 'UNCERTIFIED' AND certificate_no IS NOT NULL AND (certified_until IS NULL OR certified_until >= :today)",
        {
          today,
        },
      )
      .execute();
    return (lapsed.affected ?? 0) + (renewed.affected ?? 0);
  }
}

/** What `planOrder` read and planned. */
export interface OrderPlan {
  products: Map<
    string,
    Pick<ProductEntity, 'id' | 'name' | 'priceFen' | 'supplierId'> & { certified: boolean }
  >;
  plans: ({ lotId: string; quantity: number }[] | null)[];
}

/** Takes `quantity` from lots in the order given; null when they do not hold enough. */
export function takeFromLots(
  lots: readonly { id: string; remaining: number }[],
  quantity: number,
): { lotId: string; quantity: number }[] | null {
  const plan: { lotId: string; quantity: number }[] = [];
  let need = quantity;
  for (const lot of lots) {
    if (need === 0) {
      break;
    }
    const take = Math.min(need, lot.remaining);
    if (take > 0) {
      plan.push({ lotId: lot.id, quantity: take });
      need -= take;
    }
  }
  return need === 0 ? plan : null;
}

/** True when a batch failed because a lot held fewer units than a decrement took (another buyer won). */
export function isStockTaken(e: unknown): boolean {
  return errorCode(e) === 'ER_DATA_OUT_OF_RANGE';
}
