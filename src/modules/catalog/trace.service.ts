import { Inject, Injectable } from '@nestjs/common';
import { maskName } from '@/common/crypto/mask';
import { HouseholdsService } from '@/modules/households/households.service';
import { RegionsService } from '@/modules/regions/regions.service';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import { certificationStatus } from './dto/catalog.dto';
import { businessDate } from '@/common/time';
import { LOT_INCOME_READER, LotIncomeReader } from './lot-income';
import { LotsService } from './lots.service';
import { ProductsService } from './products.service';

/** The public story of a lot, as printed behind a product's trace code. */
@Injectable()
export class TraceService {
  constructor(
    @Inject(ProductsService) private readonly products: ProductsService,
    @Inject(LotsService) private readonly lots: LotsService,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
    @Inject(RegionsService) private readonly regions: RegionsService,
    @Inject(LOT_INCOME_READER) private readonly income: LotIncomeReader,
  ) {}

  async traceLot(lotId: string) {
    const lot = await this.lots.requireLot(lotId);
    const product = await this.products.requireProduct(lot.productId);
    const [supplier, sources] = await Promise.all([
      this.suppliers.get(product.supplierId),
      this.lots.sourcesOf([lot.id]).then((m) => m.get(lot.id) ?? []),
    ]);
    const households = await this.households.findMany(sources.map((s) => s.householdId));
    const villageCodes = [
      product.originVillageCode,
      supplier.villageCode,
      ...[...households.values()].map((h) => h.villageCode),
    ];
    const villages = await this.regions.findMany(villageCodes);
    const origin = villages.get(product.originVillageCode);
    const towns = await this.regions.findMany(
      [...villages.values()].map((v) => v.parentCode ?? '').filter(Boolean),
    );
    return {
      lot: {
        id: lot.id,
        quantity: lot.quantity,
        stock: lot.remaining,
        producedAt: lot.producedAt,
        expiresAt: lot.expiresAt,
      },
      product: {
        id: product.id,
        name: product.name,
        category: product.category,
        unit: product.unit,
        priceFen: product.priceFen,
        certificateNo: product.certificateNo,
        certifiedUntil: product.certifiedUntil,
        status: certificationStatus(product, businessDate()),
      },
      originVillage: {
        code: product.originVillageCode,
        name: origin?.name ?? null,
        poorVillage: origin?.poorVillage ?? false,
        town: origin?.parentCode
          ? { code: origin.parentCode, name: towns.get(origin.parentCode)?.name ?? null }
          : null,
      },
      supplier: { id: supplier.id, name: supplier.name, type: supplier.type },
      households: sources.map((s) => {
        const h = households.get(s.householdId);
        return {
          headName: h ? maskName(h.headName) : null,
          villageCode: h?.villageCode ?? null,
          villageName: h ? (villages.get(h.villageCode)?.name ?? null) : null,
          quantity: s.quantity,
        };
      }),
      householdIncomeFen: await this.income.householdFenOfLot(lot.id),
    };
  }
}
