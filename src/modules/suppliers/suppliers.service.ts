import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { FieldError, ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page, paginate } from '@/common/pagination';
import { businessDate } from '@/common/time';
import { isDuplicateKey, withTransaction } from '@/infrastructure/database/transaction';
import { HouseholdsService } from '@/modules/households/households.service';
import { RegionsService } from '@/modules/regions/regions.service';
import { CreateLinkageDto, CreateSupplierDto, SupplierListQuery } from './dto/supplier.dto';
import { BenefitLinkageEntity, LinkageType } from './entities/benefit-linkage.entity';
import { SupplierEntity, SupplierType } from './entities/supplier.entity';
import {
  LinkageExistsError,
  LinkageNotApplicableError,
  NotOwnSupplierError,
  SharesExceedSaleError,
  SupplierNotFoundError,
} from './errors';

/** The fields each linkage type needs; any other type-specific field is refused. */
const FIELDS: Record<LinkageType, (keyof CreateLinkageDto)[]> = {
  [LinkageType.RevenueShare]: ['shareBps'],
  [LinkageType.PlotContract]: [
    'plants',
    'managementFeeFenPerPlantYear',
    'pickingFeeFenPerJin',
    'dividendTiers',
  ],
  [LinkageType.Equity]: ['investedFen', 'annualDividendFen'],
  [LinkageType.Employment]: ['annualWageFen'],
};
const TYPE_FIELDS = [...new Set(Object.values(FIELDS).flat())];

@Injectable()
export class SuppliersService {
  constructor(
    @InjectRepository(SupplierEntity) private readonly suppliers: Repository<SupplierEntity>,
    @InjectRepository(BenefitLinkageEntity) private readonly linkages: Repository<BenefitLinkageEntity>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RegionsService) private readonly regions: RegionsService,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
  ) {}

  async create(dto: CreateSupplierDto): Promise<SupplierEntity> {
    await this.regions.requireVillage(dto.villageCode);
    if (dto.type === SupplierType.Household) {
      if (!dto.householdId) {
        throw new ValidationFailedError([
          { field: 'householdId', message: 'a HOUSEHOLD supplier needs householdId' },
        ]);
      }
      if (!(await this.households.exists(dto.householdId))) {
        throw new ValidationFailedError([
          { field: 'householdId', message: 'householdId must name an existing household' },
        ]);
      }
    } else if (dto.householdId) {
      throw new ValidationFailedError([
        { field: 'householdId', message: `a ${dto.type} supplier is not a household` },
      ]);
    }
    const s = this.suppliers.create({
      id: newId(),
      name: dto.name,
      type: dto.type,
      villageCode: dto.villageCode,
      householdId: dto.householdId ?? null,
    });
    await this.suppliers.insert(s);
    return s;
  }

  /** A supplier the caller may see: ADMIN any, SUPPLIER its own. */
  async getFor(user: AuthUser, id: string): Promise<SupplierEntity> {
    this.assertOwn(user, id);
    return this.get(id);
  }

  async get(id: string): Promise<SupplierEntity> {
    const s = await this.suppliers.findOne({ where: { id } });
    if (!s) {
      throw new SupplierNotFoundError(id);
    }
    return s;
  }

  async exists(id: string): Promise<boolean> {
    return this.suppliers.exist({ where: { id } });
  }

  /** Throws 403 unless the caller is ADMIN or the SUPPLIER bound to `supplierId`. */
  assertOwn(user: AuthUser, supplierId: string): void {
    if (hasRole(user, Role.Admin)) {
      return;
    }
    if (hasRole(user, Role.Supplier) && user.supplierId === supplierId) {
      return;
    }
    throw new NotOwnSupplierError();
  }

  async list<T>(q: SupplierListQuery, map: (s: SupplierEntity) => T): Promise<Page<T>> {
    const qb = this.suppliers.createQueryBuilder('s');
    if (q.type) {
      qb.andWhere('s.type = :t', { t: q.type });
    }
    if (q.villageCode) {
      qb.andWhere('s.village_code = :v', { v: q.villageCode });
    }
    return paginate(qb, q, map);
  }

  async addLinkage(supplierId: string, dto: CreateLinkageDto): Promise<BenefitLinkageEntity> {
    const supplier = await this.get(supplierId);
    if (supplier.type === SupplierType.Household) {
      throw new LinkageNotApplicableError();
    }
    const errors = this.checkFields(dto);
    if (errors.length) {
      throw new ValidationFailedError(errors);
    }
    if (dto.householdId && !(await this.households.exists(dto.householdId))) {
      throw new ValidationFailedError([
        { field: 'householdId', message: 'householdId must name an existing household' },
      ]);
    }
    if (dto.collectiveVillageCode) {
      await this.regions.requireVillage(dto.collectiveVillageCode, 'collectiveVillageCode');
    }
    const linkage = this.linkages.create({
      id: newId(),
      supplierId,
      type: dto.type,
      householdId: dto.householdId ?? null,
      collectiveVillageCode: dto.collectiveVillageCode ?? null,
      beneficiaryKey: dto.householdId ? `H:${dto.householdId}` : `V:${dto.collectiveVillageCode}`,
      shareBps: dto.shareBps ?? null,
      plants: dto.plants ?? null,
      managementFeeFenPerPlantYear: dto.managementFeeFenPerPlantYear ?? null,
      pickingFeeFenPerJin: dto.pickingFeeFenPerJin ?? null,
      dividendTiers: dto.dividendTiers
        ? dto.dividendTiers.map((t) => ({ minJinPerPlant: t.minJinPerPlant, shareBps: t.shareBps }))
        : null,
      investedFen: dto.investedFen ?? null,
      annualDividendFen: dto.annualDividendFen ?? null,
      annualWageFen: dto.annualWageFen ?? null,
      startsOn: dto.startsOn ?? businessDate(),
      active: true,
    });
    try {
      await withTransaction(this.db, async (em) => {
        if (dto.type === LinkageType.RevenueShare) {
          // Lock the supplier row so two concurrent shares cannot together pass 100 %.
          await em.query('SELECT id FROM suppliers WHERE id = ? FOR UPDATE', [supplierId]);
          const [{ total }] = (await em.query(
            "SELECT COALESCE(SUM(share_bps), 0) AS total FROM benefit_linkages WHERE supplier_id = ? AND type = 'REVENUE_SHARE' AND active = 1",
            [supplierId],
          )) as { total: string }[];
          if (Number(total) + dto.shareBps! > 10000) {
            throw new SharesExceedSaleError(Number(total) + dto.shareBps!);
          }
        }
        await em.insert(BenefitLinkageEntity, linkage);
      });
    } catch (e) {
      if (isDuplicateKey(e)) {
        throw new LinkageExistsError(dto.type);
      }
      throw e;
    }
    return linkage;
  }

  /** Active linkages of the given types (of one supplier, or all), oldest first. */
  activeLinkages(types: LinkageType[], supplierId?: string): Promise<BenefitLinkageEntity[]> {
    return this.linkages.find({
      where: { type: In(types), active: true, ...(supplierId ? { supplierId } : {}) },
      order: { id: 'ASC' },
    });
  }

  async findMany(ids: string[]): Promise<Map<string, SupplierEntity>> {
    const rows = ids.length ? await this.suppliers.findBy({ id: In([...new Set(ids)]) }) : [];
    return new Map(rows.map((s) => [s.id, s]));
  }

  async linkagesOf(supplierId: string): Promise<BenefitLinkageEntity[]> {
    await this.get(supplierId);
    return this.linkages.find({ where: { supplierId }, order: { id: 'ASC' } });
  }

  private checkFields(dto: CreateLinkageDto): FieldError[] {
    const errors: FieldError[] = [];
    const need = FIELDS[dto.type];
    for (const f of need) {
      if (dto[f] === undefined) {
        errors.push({ field: f, message: `${f} is required for ${dto.type}` });
      }
    }
    for (const f of TYPE_FIELDS) {
      if (!need.includes(f) && dto[f] !== undefined) {
        errors.push({ field: f, message: `${f} does not apply to ${dto.type}` });
      }
    }
    if (dto.type === LinkageType.Equity) {
      if (!!dto.householdId === !!dto.collectiveVillageCode) {
        errors.push({
          field: 'householdId',
          message: 'EQUITY needs exactly one of householdId or collectiveVillageCode',
        });
      }
    } else {
      if (!dto.householdId) {
        errors.push({ field: 'householdId', message: `householdId is required for ${dto.type}` });
      }
      if (dto.collectiveVillageCode) {
        errors.push({
          field: 'collectiveVillageCode',
          message: 'only EQUITY can have a village collective as beneficiary',
        });
      }
    }
    if (dto.type === LinkageType.PlotContract && dto.dividendTiers) {
      const tiers = dto.dividendTiers;
      if (tiers[0].minJinPerPlant !== 0) {
        errors.push({
          field: 'dividendTiers[0].minJinPerPlant',
          message: 'the first tier must start at 0 jin per plant',
        });
      }
      tiers.forEach((t, i) => {
        if (i > 0 && t.minJinPerPlant <= tiers[i - 1].minJinPerPlant) {
          errors.push({
            field: `dividendTiers[${i}].minJinPerPlant`,
            message: 'tiers must rise strictly in minJinPerPlant',
          });
        }
      });
    }
    return errors;
  }
}
