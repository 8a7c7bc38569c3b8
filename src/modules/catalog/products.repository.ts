import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { fenTransformer } from '@/common/money';
import { ProductEntity, ProductStatus } from './entities/product.entity';

/** What a product shows to the public (everything but the stored status and the timestamps). */
export type ProductFields = Pick<
  ProductEntity,
  | 'id'
  | 'name'
  | 'category'
  | 'unit'
  | 'priceFen'
  | 'supplierId'
  | 'originVillageCode'
  | 'certificateNo'
  | 'certifiedUntil'
>;

export type NewProduct = Omit<ProductEntity, 'createdAt' | 'updatedAt'>;

/** Which products a catalog page holds; every field narrows it. */
export interface CatalogFilter {
  category?: string;
  /** Words the name contains, matched literally (no LIKE wildcards). */
  nameContains?: string;
  supplierId?: string;
  /** Certified or not on `today`, by certificate validity rather than the stored status. */
  status?: ProductStatus;
  /** Keyset cursor: only ids after this one. */
  afterId?: string;
}

/** One product of the public catalog with its units on sale. */
export interface CatalogRow extends ProductFields {
  stock: number;
}

export interface CatalogPage {
  rows: CatalogRow[];
  /** True when more products follow the last row. */
  more: boolean;
}

interface CatalogRawRow {
  id: string;
  name: string;
  category: string;
  unit: string;
  priceFen: string;
  supplierId: string;
  originVillageCode: string;
  certificateNo: string | null;
  certifiedUntil: string | null;
  stock: string;
}

const catalogRowFrom = (r: CatalogRawRow): CatalogRow => ({
  id: r.id,
  name: r.name,
  category: r.category,
  unit: r.unit,
  priceFen: fenTransformer.from(r.priceFen) as number,
  supplierId: r.supplierId,
  originVillageCode: r.originVillageCode,
  certificateNo: r.certificateNo,
  certifiedUntil: r.certifiedUntil,
  stock: Number(r.stock),
});

/** The queries on `products`. */
@Injectable()
export class ProductsRepository {
  constructor(
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async insert(values: NewProduct): Promise<ProductEntity> {
    const p = this.products.create(values);
    await this.products.insert(p);
    return p;
  }

  findById(id: string): Promise<ProductEntity | null> {
    return this.products.findOne({ where: { id } });
  }

  /**
   * The public catalog, the hottest read: one plain SQL statement with each product's stock as a correlated
   * sum over its lots unexpired on `today` (index on product_id), mapped straight from raw rows.
   */
  async catalogPage(filter: CatalogFilter, today: string, limit: number): Promise<CatalogPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.category) {
      where.push('p.category = ?');
      params.push(filter.category);
    }
    if (filter.nameContains) {
      where.push('p.name LIKE ?');
      params.push(`%${filter.nameContains.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    }
    if (filter.supplierId) {
      where.push('p.supplier_id = ?');
      params.push(filter.supplierId);
    }
    if (filter.status === ProductStatus.Certified) {
      where.push('p.certificate_no IS NOT NULL AND (p.certified_until IS NULL OR p.certified_until >= ?)');
      params.push(today);
    } else if (filter.status === ProductStatus.Uncertified) {
      where.push('(p.certificate_no IS NULL OR p.certified_until < ?)');
      params.push(today);
    }
    if (filter.afterId) {
      where.push('p.id > ?');
      params.push(filter.afterId);
    }
    const rows = (await this.db.query(
      `SELECT p.id, p.name, p.category, p.unit, p.price_fen AS priceFen, p.supplier_id AS supplierId,
              p.origin_village_code AS originVillageCode, p.certificate_no AS certificateNo,
              p.certified_until AS certifiedUntil,
              (SELECT COALESCE(SUM(l.remaining), 0) FROM supply_lots l WHERE l.product_id = p.id AND (l.expires_at IS NULL OR l.expires_at >= ?)) AS stock
         FROM products p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY p.id LIMIT ?`,
      [today, ...params, limit + 1],
    )) as CatalogRawRow[];
    const more = rows.length > limit;
    return { rows: (more ? rows.slice(0, limit) : rows).map(catalogRowFrom), more };
  }

  /**
   * Brings the stored status in line with certificate validity on `today`: how many products lapsed to
   * UNCERTIFIED and how many were renewed to CERTIFIED.
   */
  async syncCertificationStatus(today: string): Promise<{ lapsed: number; renewed: number }> {
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
        { today },
      )
      .execute();
    return { lapsed: lapsed.affected ?? 0, renewed: renewed.affected ?? 0 };
  }
}
