import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { FieldError, ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page, paginate } from '@/common/pagination';
import { Channel } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { RegionLevel } from '@/modules/regions/entities/region.entity';
import { RegionsService } from '@/modules/regions/regions.service';
import { BuyerAttributions } from '@/modules/orders/channel-policy';
import { UsersService } from '@/modules/identity/users.service';
import {
  CreateOrganizationDto,
  mapOrganization,
  OrganizationListQuery,
  OrganizationView,
} from './dto/organization.dto';
import {
  EmployeeListQuery,
  EmploymentView,
  QuotaProgressView,
  QuotaView,
  SetQuotaDto,
} from './dto/procurement.dto';
import { OrganizationEntity, OrganizationVillageEntity } from './entities/organization.entity';
import { EmploymentStatus, OrganizationEmployeeEntity } from './entities/procurement.entity';
import {
  NoCanteenError,
  NotEmployedError,
  NotOwnOrganizationError,
  OrganizationNotFoundError,
  QuotaNotFoundError,
  ShareBelowFloorError,
} from './errors';
import { ProcurementRepository } from './procurement.repository';

/** The channels on which a citizen buys for itself: there its purchases count for its employer. */
const CITIZEN_CHANNELS: ReadonlySet<Channel> = new Set([Channel.Online, Channel.Kiosk, Channel.Livestream]);
/** How long a citizen's employer is remembered for the orders it places (a confirmation here clears it). */
const EMPLOYER_TTL_MS = 10_000;

export const yearRange = (year: number): [string, string] => [`${year}-01-01`, `${year}-12-31`];

/**
 * Budget units, assistance groups and enterprises that buy products: their groups, paired villages and
 * canteens; their yearly quotas and progress; the citizens who work for them.
 */
@Injectable()
export class OrganizationsService {
  private readonly employers = new Map<string, { organizationId: string | null; until: number }>();

  constructor(
    @InjectRepository(OrganizationEntity) private readonly repo: Repository<OrganizationEntity>,
    @InjectRepository(OrganizationVillageEntity)
    private readonly villages: Repository<OrganizationVillageEntity>,
    @Inject(ProcurementRepository) private readonly rows: ProcurementRepository,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(RegionsService) private readonly regions: RegionsService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(BuyerAttributions) attributions: BuyerAttributions,
    @Inject(ENV) private readonly env: Env,
  ) {
    // A confirmed employee's purchases carry its employer, so they count toward that quota.
    attributions.register(async (buyerUserId, channel) => {
      if (!CITIZEN_CHANNELS.has(channel)) {
        return {};
      }
      const employerId = await this.employerOf(buyerUserId);
      return employerId ? { employerId } : {};
    });
  }

  async create(
    dto: CreateOrganizationDto,
  ): Promise<{ organization: OrganizationEntity; villageCodes: string[] }> {
    const errors: FieldError[] = [];
    if (dto.parentId && !(await this.exists(dto.parentId))) {
      errors.push({ field: 'parentId', message: 'parentId must name an existing organization' });
    }
    errors.push(...(await this.checkVillages(dto.villageCodes ?? [])));
    if (errors.length) {
      throw new ValidationFailedError(errors);
    }
    const o = this.repo.create({
      id: newId(),
      name: dto.name,
      type: dto.type,
      parentId: dto.parentId ?? null,
      hasCanteen: dto.hasCanteen ?? false,
      department: dto.department ?? null,
    });
    await this.repo.insert(o);
    if (dto.villageCodes?.length) {
      await this.villages.insert(
        dto.villageCodes.map((villageCode) => ({ organizationId: o.id, villageCode })),
      );
    }
    return { organization: o, villageCodes: dto.villageCodes ?? [] };
  }

  private async checkVillages(codes: readonly string[]): Promise<FieldError[]> {
    const found = await this.regions.findMany([...codes]);
    return codes.flatMap((c, i) =>
      found.get(c)?.level === RegionLevel.Village
        ? []
        : [{ field: `villageCodes[${i}]`, message: 'villageCodes must name existing villages' }],
    );
  }

  /** Replaces the villages an organization is paired with. */
  async setVillages(id: string, codes: string[]): Promise<OrganizationView> {
    const o = await this.require(id);
    const errors = await this.checkVillages(codes);
    if (errors.length) {
      throw new ValidationFailedError(errors);
    }
    await this.villages.manager.transaction(async (em) => {
      await em.delete(OrganizationVillageEntity, { organizationId: id });
      if (codes.length) {
        await em.insert(
          OrganizationVillageEntity,
          codes.map((villageCode) => ({ organizationId: id, villageCode })),
        );
      }
    });
    return mapOrganization(o, codes);
  }

  async exists(id: string): Promise<boolean> {
    return this.repo.exist({ where: { id } });
  }

  async require(id: string): Promise<OrganizationEntity> {
    const o = await this.repo.findOne({ where: { id } });
    if (!o) {
      throw new OrganizationNotFoundError(id);
    }
    return o;
  }

  async findMany(ids: readonly string[]): Promise<Map<string, OrganizationEntity>> {
    if (!ids.length) {
      return new Map();
    }
    const rows = await this.repo.find({ where: { id: In([...new Set(ids)]) } });
    return new Map(rows.map((o) => [o.id, o]));
  }

  /** Every organization (reports read them all; a district has a few thousand at most). */
  all(): Promise<OrganizationEntity[]> {
    return this.repo.find({ order: { id: 'ASC' } });
  }

  /** ADMIN sees any organization; buyers and approvers only their own. */
  assertOwn(user: AuthUser, id: string): void {
    if (!hasRole(user, Role.Admin) && user.organizationId !== id) {
      throw new NotOwnOrganizationError();
    }
  }

  async getFor(user: AuthUser, id: string): Promise<OrganizationView> {
    this.assertOwn(user, id);
    const o = await this.require(id);
    return mapOrganization(o, await this.villageCodes(id));
  }

  private async villageCodes(id: string): Promise<string[]> {
    return (await this.villages.find({ where: { organizationId: id }, order: { villageCode: 'ASC' } })).map(
      (v) => v.villageCode,
    );
  }

  async list(q: OrganizationListQuery): Promise<Page<OrganizationView>> {
    const qb = this.repo.createQueryBuilder('o');
    if (q.type) {
      qb.andWhere('o.type = :t', { t: q.type });
    }
    if (q.parentId) {
      qb.andWhere('o.parent_id = :p', { p: q.parentId });
    }
    const page = await paginate(qb, q, (o) => o);
    const links = page.items.length
      ? await this.villages.find({ where: { organizationId: In(page.items.map((o) => o.id)) } })
      : [];
    return {
      items: page.items.map((o) =>
        mapOrganization(
          o,
          links
            .filter((l) => l.organizationId === o.id)
            .map((l) => l.villageCode)
            .sort(),
        ),
      ),
      nextCursor: page.nextCursor,
    };
  }

  // ---- quotas -------------------------------------------------------------------------------------------

  /**
   * Sets a year's quota: a fixed amount, or a reserved share of the declared canteen food purchases (at least
   * the district's floor; only for a unit with a canteen), whose product rounded down is the amount.
   */
  async setQuota(id: string, year: number, dto: SetQuotaDto): Promise<QuotaView> {
    const o = await this.require(id);
    const fixed = dto.amountFen !== undefined;
    const share = dto.canteenBaseFen !== undefined || dto.shareBps !== undefined;
    if (fixed === share) {
      throw new ValidationFailedError(
        [{ field: 'amountFen', message: 'give either amountFen, or canteenBaseFen and shareBps' }],
        'A quota is a fixed amount or a reserved share, not both and not neither.',
      );
    }
    let quota: QuotaView;
    if (fixed) {
      quota = { organizationId: id, year, amountFen: dto.amountFen!, canteenBaseFen: null, shareBps: null };
    } else {
      const missing = (['canteenBaseFen', 'shareBps'] as const).filter((f) => dto[f] === undefined);
      if (missing.length) {
        throw new ValidationFailedError(
          missing.map((field) => ({ field, message: `${field} is required with a share` })),
        );
      }
      if (!o.hasCanteen) {
        throw new NoCanteenError();
      }
      const floor = this.env.PROCUREMENT_SHARE_FLOOR_BPS;
      if (dto.shareBps! < floor) {
        throw new ShareBelowFloorError(floor);
      }
      // Integer arithmetic: base × bps / 10000, rounded down (both are far below 2^53 / 10000).
      const amountFen = Math.floor((dto.canteenBaseFen! * dto.shareBps!) / 10000);
      if (amountFen < 1) {
        throw new ValidationFailedError([
          { field: 'canteenBaseFen', message: 'canteenBaseFen × shareBps must come to at least 1 fen' },
        ]);
      }
      quota = {
        organizationId: id,
        year,
        amountFen,
        canteenBaseFen: dto.canteenBaseFen!,
        shareBps: dto.shareBps!,
      };
    }
    await this.rows.upsertQuota(quota);
    return quota;
  }

  /** A year's quota and its progress: its own committed and accepted procurement, employees and fairs. */
  async progressFor(user: AuthUser, id: string, year: number): Promise<QuotaProgressView> {
    this.assertOwn(user, id);
    const [p] = await this.progress([id], year);
    if (!p) {
      await this.require(id); // 404 for the organization first, then for its quota
      throw new QuotaNotFoundError(year);
    }
    return p;
  }

  /** Progress of each organization that has a quota for the year (others are left out). */
  async progress(ids: readonly string[], year: number, to?: string): Promise<QuotaProgressView[]> {
    const [from, end] = yearRange(year);
    const until = to ?? end;
    // Two round trips at once: the quota and own purchases, and the employees' purchases (the order core).
    const [own, employees] = await Promise.all([
      this.rows.ownProgress(ids, year, from, until),
      this.orders.paidByEmployers(ids, from, until),
    ]);
    return ids.flatMap((id) => {
      const o = own.get(id)!;
      const q = o.quota;
      if (!q) {
        return [];
      }
      const employeeFen = employees.get(id) ?? 0;
      const countedFen = o.acceptedFen + employeeFen + o.fairFen;
      return [
        {
          organizationId: id,
          year,
          amountFen: q.amountFen,
          canteenBaseFen: q.canteenBaseFen,
          shareBps: q.shareBps,
          committedFen: o.committedFen,
          acceptedFen: o.acceptedFen,
          employeeFen,
          fairFen: o.fairFen,
          countedFen,
          remainingFen: Math.max(0, q.amountFen - countedFen),
          progressBps: Math.floor((countedFen * 10000) / q.amountFen),
        },
      ];
    });
  }

  quotasOfYear(year: number) {
    return this.rows.quotasOfYear(year);
  }

  // ---- employees ----------------------------------------------------------------------------------------

  /** A citizen asks to be counted as an employee of an organization; its buyer confirms. */
  async requestEmployer(user: AuthUser, organizationId: string): Promise<EmploymentView> {
    const o = await this.repo.findOne({ where: { id: organizationId } });
    if (!o) {
      throw new ValidationFailedError([
        { field: 'organizationId', message: 'organizationId must name an existing organization' },
      ]);
    }
    await this.rows.requestEmployment(user.id, organizationId, new Date());
    this.employers.delete(user.id);
    return this.employmentView((await this.rows.employment(user.id))!, o.name);
  }

  async employerFor(user: AuthUser): Promise<EmploymentView> {
    const e = await this.rows.employment(user.id);
    if (!e) {
      throw new NotEmployedError();
    }
    return this.employmentView(
      e,
      (await this.repo.findOne({ where: { id: e.organizationId } }))?.name ?? null,
    );
  }

  /** The organization's buyer confirms a citizen who asked to be linked to it. */
  async confirmEmployee(user: AuthUser, organizationId: string, userId: string): Promise<EmploymentView> {
    this.assertOwn(user, organizationId);
    if (!(await this.rows.confirmEmployment(organizationId, userId, user.id, new Date()))) {
      throw new NotEmployedError();
    }
    this.employers.delete(userId);
    const o = await this.repo.findOne({ where: { id: organizationId } });
    return this.employmentView((await this.rows.employment(userId))!, o?.name ?? null);
  }

  async employees(
    user: AuthUser,
    organizationId: string,
    q: EmployeeListQuery,
  ): Promise<Page<EmploymentView>> {
    this.assertOwn(user, organizationId);
    const o = await this.require(organizationId);
    const limit = q.limit ?? 50;
    const rows = await this.rows.employees(organizationId, q.status, q.cursor, limit + 1);
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map((e) => this.employmentView(e, o.name));
    return { items, nextCursor: more ? items[items.length - 1].userId : null };
  }

  /** The confirmed employer of a citizen, from a short-lived memory (orders ask on every placement). */
  private async employerOf(userId: string): Promise<string | null> {
    const now = Date.now();
    const hit = this.employers.get(userId);
    if (hit && hit.until > now) {
      return hit.organizationId;
    }
    const e = await this.rows.employment(userId);
    const organizationId = e?.status === EmploymentStatus.Confirmed ? e.organizationId : null;
    if (this.employers.size > 100_000) {
      this.employers.clear();
    }
    this.employers.set(userId, { organizationId, until: now + EMPLOYER_TTL_MS });
    return organizationId;
  }

  private employmentView(e: OrganizationEmployeeEntity, organizationName: string | null): EmploymentView {
    return {
      userId: e.userId,
      organizationId: e.organizationId,
      organizationName,
      status: e.status,
      requestedAt: e.requestedAt.toISOString(),
      confirmedAt: e.confirmedAt ? e.confirmedAt.toISOString() : null,
    };
  }

  /** The users (with phones) of an organization who approve its orders. */
  approversOf(organizationId: string) {
    return this.users.phonesOfOrganization(organizationId, Role.UnitApprover);
  }
}
