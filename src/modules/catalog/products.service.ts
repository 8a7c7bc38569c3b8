import { Inject, Injectable } from '@nestjs/common';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page } from '@/common/pagination';
import { businessDate } from '@/common/time';
import { RegionsService } from '@/modules/regions/regions.service';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import {
  certificationStatus,
  CreateProductDto,
  mapProduct,
  ProductListQuery,
  ProductView,
} from './dto/catalog.dto';
import { ProductEntity } from './entities/product.entity';
import { ProductNotFoundError } from './errors';
import { ProductListCache } from './product-list.cache';
import { ProductsRepository } from './products.repository';
import { StockService } from './stock.service';

/** Products: who may list one, the public catalog and its cache, and the daily certification sweep. */
@Injectable()
export class ProductsService {
  constructor(
    @Inject(ProductsRepository) private readonly repo: ProductsRepository,
    @Inject(ProductListCache) private readonly listCache: ProductListCache,
    @Inject(StockService) private readonly stock: StockService,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
    @Inject(RegionsService) private readonly regions: RegionsService,
  ) {}

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
    const fields = {
      id: newId(),
      name: dto.name,
      category: dto.category,
      unit: dto.unit,
      priceFen: dto.priceFen,
      supplierId: dto.supplierId,
      originVillageCode: dto.originVillageCode,
      certificateNo: dto.certificateNo ?? null,
      certifiedUntil: dto.certifiedUntil ?? null,
    };
    const p = await this.repo.insert({ ...fields, status: certificationStatus(fields, today) });
    this.listCache.clear();
    return mapProduct(p, 0, today);
  }

  /** The public catalog, the hottest read: served from the per-process cache, one SQL statement on a miss. */
  listProducts(q: ProductListQuery): Promise<Page<ProductView>> {
    const key = JSON.stringify([q.category, q.q, q.supplierId, q.status, q.cursor, q.limit]);
    return this.listCache.get(key, () => this.queryProducts(q));
  }

  private async queryProducts(q: ProductListQuery): Promise<Page<ProductView>> {
    const today = businessDate();
    const { rows, more } = await this.repo.catalogPage(
      {
        category: q.category,
        nameContains: q.q,
        supplierId: q.supplierId,
        status: q.status,
        afterId: q.cursor,
      },
      today,
      q.limit ?? 50,
    );
    return {
      items: rows.map((r) => mapProduct(r, r.stock, today)),
      nextCursor: more ? rows[rows.length - 1].id : null,
    };
  }

  async getProduct(id: string): Promise<ProductView> {
    const p = await this.requireProduct(id);
    const stock = await this.stock.stockOf([id]);
    return mapProduct(p, stock.get(id) ?? 0, businessDate());
  }

  async requireProduct(id: string): Promise<ProductEntity> {
    const p = await this.repo.findById(id);
    if (!p) {
      throw new ProductNotFoundError(id);
    }
    return p;
  }

  /** Brings the stored status in line with certificate validity; returns how many products changed. */
  async sweepCertification(today = businessDate()): Promise<number> {
    const { lapsed, renewed } = await this.repo.syncCertificationStatus(today);
    return lapsed + renewed;
  }
}
