import { Inject, Injectable } from '@nestjs/common';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { ForbiddenError, ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { businessDate } from '@/common/time';
import { Page } from '@/common/pagination';
import { HouseholdsService } from '@/modules/households/households.service';
import { Channel } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { RegionsService } from '@/modules/regions/regions.service';
import { FairListQuery, FairSaleView, FairView, NewFairDto, NewFairSaleDto } from './dto/procurement.dto';
import { FairEntity, FairSaleEntity } from './entities/procurement.entity';
import { FairNotFoundError, FairNotHeldYetError, NotOwnOrganizationError } from './errors';
import { OrganizationsService } from './organizations.service';
import { ProcurementRepository } from './procurement.repository';

/**
 * Fairs (扶贫赶场): an assistance group's market day in a village. Cadres (or a unit's buyer) record what was
 * bought at each household's stall; each sale is a paid order of channel FAIR whose whole amount is that
 * household's income, and it counts toward the buying organization's quota.
 */
@Injectable()
export class FairsService {
  constructor(
    @Inject(ProcurementRepository) private readonly repo: ProcurementRepository,
    @Inject(OrganizationsService) private readonly organizations: OrganizationsService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(RegionsService) private readonly regions: RegionsService,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
  ) {}

  async create(user: AuthUser, dto: NewFairDto): Promise<FairView> {
    const village = await this.regions.requireVillage(dto.villageCode);
    await this.assertCadreScope(user, village.code);
    if (dto.organizationId && !(await this.organizations.exists(dto.organizationId))) {
      throw new ValidationFailedError([
        { field: 'organizationId', message: 'organizationId must name an existing organization' },
      ]);
    }
    const fair: FairEntity = {
      id: newId(),
      name: dto.name,
      villageCode: dto.villageCode,
      date: dto.date,
      organizationId: dto.organizationId ?? null,
      createdBy: user.id,
      createdAt: new Date(),
    };
    await this.repo.insertFair(fair);
    return { ...this.fairView(fair), sales: 0, amountFen: 0 };
  }

  /** Fairs, newest first: a cadre sees those of its own region. */
  async list(user: AuthUser, q: FairListQuery): Promise<Page<FairView>> {
    const limit = q.limit ?? 50;
    const scopePath =
      hasRole(user, Role.Cadre) && !hasRole(user, Role.Admin) ? await this.regions.scopePathFor(user) : null;
    const rows = await this.repo.listFairs({
      from: q.from,
      to: q.to,
      before: q.cursor,
      limit: limit + 1,
      scopePath: scopePath ?? undefined,
    });
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const totals = await this.repo.fairTotals(items.map((f) => f.id));
    return {
      items: items.map((f) => ({ ...this.fairView(f), ...(totals.get(f.id) ?? { sales: 0, amountFen: 0 }) })),
      nextCursor: more ? items[items.length - 1].id : null,
    };
  }

  async get(user: AuthUser, id: string): Promise<FairView> {
    const f = await this.require(id);
    if (hasRole(user, Role.Cadre)) {
      await this.assertCadreScope(user, f.villageCode);
    }
    const totals = await this.repo.fairTotals([id]);
    return { ...this.fairView(f), ...(totals.get(id) ?? { sales: 0, amountFen: 0 }) };
  }

  /** Records a stall sale: the household's income (channel FAIR), counted for the buying organization. */
  async addSale(user: AuthUser, fairId: string, dto: NewFairSaleDto): Promise<FairSaleView> {
    const fair = await this.require(fairId);
    if (fair.date > businessDate()) {
      throw new FairNotHeldYetError(fair.date);
    }
    let buyerOrganizationId = dto.buyerOrganizationId ?? null;
    if (hasRole(user, Role.Admin)) {
      // any organization
    } else if (hasRole(user, Role.Cadre)) {
      await this.assertCadreScope(user, fair.villageCode);
    } else if (hasRole(user, Role.UnitBuyer) && user.organizationId) {
      // A unit's buyer records what its own unit bought.
      if (buyerOrganizationId && buyerOrganizationId !== user.organizationId) {
        throw new NotOwnOrganizationError();
      }
      buyerOrganizationId = user.organizationId;
    } else {
      throw new ForbiddenError();
    }
    const errors: { field: string; message: string }[] = [];
    if (!(await this.households.exists(dto.householdId))) {
      errors.push({ field: 'householdId', message: 'householdId must name a registered household' });
    }
    if (buyerOrganizationId && !(await this.organizations.exists(buyerOrganizationId))) {
      errors.push({
        field: 'buyerOrganizationId',
        message: 'buyerOrganizationId must name an existing organization',
      });
    }
    if (errors.length) {
      throw new ValidationFailedError(errors);
    }
    const sale: FairSaleEntity = {
      id: newId(),
      fairId,
      householdId: dto.householdId,
      productId: dto.productId ?? null,
      description: dto.description,
      quantity: dto.quantity,
      amountFen: dto.amountFen,
      buyerOrganizationId,
      saleDate: fair.date,
      orderId: newId(),
      recordedBy: user.id,
      createdAt: new Date(),
    };
    // Paid at the stall on the fair's day: a fair recorded afterwards is dated then (noon, Asia/Shanghai).
    const paidAt = fair.date < businessDate() ? new Date(`${fair.date}T12:00:00+08:00`) : sale.createdAt;
    // The order and the stall sale commit together: paid in cash at the stall, no payment provider.
    await this.orders.recordPaidElsewhere(
      [
        {
          id: sale.orderId,
          buyerUserId: user.id,
          channel: Channel.Fair,
          lines: [
            {
              productId: dto.productId,
              householdId: dto.householdId,
              quantity: dto.quantity,
              amountFen: dto.amountFen,
            },
          ],
          attribution: { fairId, ...(buyerOrganizationId ? { organizationId: buyerOrganizationId } : {}) },
          paidAt,
        },
      ],
      [this.repo.insertFairSaleStatement(sale)],
    );
    return this.saleView(sale);
  }

  /**
   * A fair's stall sales: all of them for an administrator or a cadre of its region; a unit's buyer sees
   * those bought for its own unit.
   */
  async sales(user: AuthUser, id: string): Promise<FairSaleView[]> {
    const f = await this.require(id);
    if (hasRole(user, Role.Cadre)) {
      await this.assertCadreScope(user, f.villageCode);
    }
    const all = await this.repo.fairSales(id);
    const mine =
      hasRole(user, Role.Admin) || hasRole(user, Role.Cadre)
        ? all
        : all.filter((s) => s.buyerOrganizationId !== null && s.buyerOrganizationId === user.organizationId);
    return mine.map((s) => this.saleView(s));
  }

  private async require(id: string): Promise<FairEntity> {
    const f = await this.repo.findFair(id);
    if (!f) {
      throw new FairNotFoundError(id);
    }
    return f;
  }

  /** A cadre acts on fairs in its own region only. */
  private async assertCadreScope(user: AuthUser, villageCode: string): Promise<void> {
    if (hasRole(user, Role.Admin)) {
      return;
    }
    const scope = await this.regions.scopePathFor(user);
    if (!scope || !(await this.regions.isWithin(villageCode, scope))) {
      throw new ForbiddenError('A cadre records fairs of its own village or town only.');
    }
  }

  private fairView(f: FairEntity): Omit<FairView, 'sales' | 'amountFen'> {
    return {
      id: f.id,
      name: f.name,
      villageCode: f.villageCode,
      date: f.date,
      organizationId: f.organizationId,
    };
  }

  private saleView(s: FairSaleEntity): FairSaleView {
    return {
      id: s.id,
      fairId: s.fairId,
      householdId: s.householdId,
      productId: s.productId,
      description: s.description,
      quantity: s.quantity,
      amountFen: s.amountFen,
      buyerOrganizationId: s.buyerOrganizationId,
      orderId: s.orderId,
    };
  }
}
