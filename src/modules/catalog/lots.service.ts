import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { withTransaction } from '@/infrastructure/database/transaction';
import { HouseholdsService } from '@/modules/households/households.service';
import { SupplierType } from '@/modules/suppliers/entities/supplier.entity';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import { CreateLotDto, LotView, mapLot } from './dto/catalog.dto';
import { SupplyLotEntity } from './entities/supply-lot.entity';
import { LotNotFoundError, SourcesMismatchError } from './errors';
import { LotShare, LotsRepository, NewLot } from './lots.repository';
import { ProductListCache } from './product-list.cache';
import { ProductsService } from './products.service';

/** Supply lots and the households behind them. */
@Injectable()
export class LotsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LotsRepository) private readonly repo: LotsRepository,
    @Inject(ProductListCache) private readonly listCache: ProductListCache,
    @Inject(ProductsService) private readonly products: ProductsService,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
  ) {}

  /**
   * Adds a lot of a product with the households it came from: their quantities add up to the lot's, and a
   * household supplier's lot comes from that household when no sources are given.
   */
  async createLot(user: AuthUser, productId: string, dto: CreateLotDto): Promise<LotView> {
    const product = await this.products.requireProduct(productId);
    this.suppliers.assertOwn(user, product.supplierId);
    if (dto.producedAt && dto.expiresAt && dto.expiresAt < dto.producedAt) {
      throw new ValidationFailedError([
        { field: 'expiresAt', message: 'expiresAt must not be before producedAt' },
      ]);
    }
    let sources: LotShare[] | undefined = dto.sources?.map((s) => ({
      householdId: s.householdId,
      quantity: s.quantity,
    }));
    if (!sources) {
      const supplier = await this.suppliers.get(product.supplierId);
      if (supplier.type === SupplierType.Household && supplier.householdId) {
        sources = [{ householdId: supplier.householdId, quantity: dto.quantity }];
      }
    }
    if (sources) {
      const sum = sources.reduce((a, s) => a + s.quantity, 0);
      if (sum !== dto.quantity) {
        throw new SourcesMismatchError(sum, dto.quantity);
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
    const lot: NewLot = {
      id: newId(),
      productId,
      quantity: dto.quantity,
      remaining: dto.quantity,
      producedAt: dto.producedAt ?? null,
      expiresAt: dto.expiresAt ?? null,
    };
    const rows = (sources ?? []).map((s, position) => ({
      id: newId(),
      lotId: lot.id,
      householdId: s.householdId,
      quantity: s.quantity,
      position,
    }));
    await withTransaction(this.db, (em) => this.repo.insertWithSources(em, lot, rows));
    this.listCache.clear();
    return mapLot(lot, sources ?? []);
  }

  async lotsOf(productId: string): Promise<LotView[]> {
    await this.products.requireProduct(productId);
    const lots = await this.repo.findByProduct(productId);
    const sources = await this.sourcesOf(lots.map((l) => l.id));
    return lots.map((l) => mapLot(l, sources.get(l.id) ?? []));
  }

  async requireLot(id: string): Promise<SupplyLotEntity> {
    const lot = await this.repo.findById(id);
    if (!lot) {
      throw new LotNotFoundError(id);
    }
    return lot;
  }

  /** Each lot's sources in the order they were listed. */
  sourcesOf(lotIds: string[]): Promise<Map<string, { householdId: string; quantity: number }[]>> {
    return this.repo.sharesOf(lotIds);
  }
}
