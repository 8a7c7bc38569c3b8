import { Inject, Injectable } from '@nestjs/common';
import { Table } from '@/common/spreadsheet';
import { formatYuan } from '@/common/money';
import { HouseholdsService } from '@/modules/households/households.service';
import { IncomeService } from '@/modules/ledger/income.service';
import { OrdersService } from '@/modules/orders/orders.service';
import { RegionsService } from '@/modules/regions/regions.service';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import {
  BelowQuotaView,
  DepartmentProgressView,
  ImpactRowView,
  ImpactView,
  MonthlyReportView,
  ProcurementReportView,
  ReportGroup,
  ReportRowView,
} from './dto/procurement.dto';
import { OrganizationType } from './entities/organization.entity';
import { OrganizationsService, yearRange } from './organizations.service';
import { ProcurementRepository } from './procurement.repository';

/** The organization types as the district's reports name them. */
export const TYPE_LABELS: Record<OrganizationType, string> = {
  [OrganizationType.BudgetUnit]: '预算单位',
  [OrganizationType.DistrictGroup]: '区级帮扶集团',
  [OrganizationType.MunicipalGroup]: '市级帮扶集团',
  [OrganizationType.PublicInstitution]: '学校、医院等事业单位',
  [OrganizationType.StateEnterprise]: '国有企业',
  [OrganizationType.PrivateEnterprise]: '民营企业（以购代捐）',
  [OrganizationType.Union]: '工会',
};

const CHANNEL_LABELS: Record<string, string> = {
  KIOSK: '智能售货柜',
  LIVESTREAM: '直播带货',
  PROCUREMENT: '单位采购',
  FAIR: '扶贫赶场',
  ONLINE: '线上商城',
};

const lastDayOf = (year: number, month: number) =>
  new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);

/**
 * The district's procurement reports: the year's totals grouped by organization type, organization,
 * supplier or category (JSON, CSV, XLSX); organizations below their quota; monthly progress by department;
 * and the impact of every channel on households' income.
 */
@Injectable()
export class ProcurementReportsService {
  constructor(
    @Inject(ProcurementRepository) private readonly repo: ProcurementRepository,
    @Inject(OrganizationsService) private readonly organizations: OrganizationsService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
    @Inject(IncomeService) private readonly income: IncomeService,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
    @Inject(RegionsService) private readonly regions: RegionsService,
  ) {}

  /**
   * The year's accepted procurement, grouped; for the organization groupings, linked employees' purchases and
   * fair purchases beside it. Fairs' stall sales of the year are summed apart (most are bought by people, not
   * organizations).
   */
  async procurement(year: number, groupBy: ReportGroup): Promise<ProcurementReportView> {
    const [from, to] = yearRange(year);
    const byOrganization = groupBy === 'organizationType' || groupBy === 'organization';
    // Independent reads, at once.
    const [accepted, fairTotal, types, employees, fairs] = await Promise.all([
      this.repo.acceptedBy(groupBy === 'organizationType' ? 'organization' : groupBy, from, to),
      this.repo.fairSummary(from, to),
      byOrganization ? this.repo.organizationTypes() : Promise.resolve(new Map<string, string>()),
      byOrganization ? this.orders.paidByAllEmployers(from, to) : Promise.resolve(new Map<string, number>()),
      byOrganization ? this.repo.fairBy(groupBy, from, to) : Promise.resolve([]),
    ]);
    const rows = new Map<string | null, ReportRowView>();
    const row = (key: string | null) => {
      let r = rows.get(key);
      if (!r) {
        r = { key, label: key ?? '', orders: 0, acceptedFen: 0, employeeFen: 0, fairFen: 0, totalFen: 0 };
        rows.set(key, r);
      }
      return r;
    };
    for (const a of accepted) {
      // By type: each organization's sums folded into its type's row (a thousand rows, not every order).
      const r = row(groupBy === 'organizationType' ? (types.get(a.key) ?? null) : a.key);
      r.orders += a.orders;
      r.acceptedFen += a.acceptedFen;
    }
    let unattributedFen = 0;
    if (byOrganization) {
      const keyOf = (id: string) => (groupBy === 'organization' ? id : (types.get(id) ?? null));
      for (const [id, fen] of employees) {
        if (fen) {
          row(keyOf(id)).employeeFen += fen;
        }
      }
      for (const f of fairs) {
        if (f.key === null) {
          unattributedFen += f.amountFen;
        } else {
          row(f.key).fairFen += f.amountFen;
        }
      }
      const names =
        groupBy === 'organization'
          ? new Map(
              [...(await this.organizations.findMany([...rows.keys()].filter((k): k is string => !!k)))].map(
                ([id, o]) => [id, o.name],
              ),
            )
          : new Map<string, string>();
      for (const r of rows.values()) {
        r.label =
          groupBy === 'organization'
            ? (names.get(r.key!) ?? r.key!)
            : (TYPE_LABELS[r.key as OrganizationType] ?? r.key!);
      }
    } else if (groupBy === 'supplier') {
      const names = await this.suppliers.findMany([...rows.keys()].filter((k): k is string => !!k));
      for (const r of rows.values()) {
        r.label = names.get(r.key!)?.name ?? r.key!;
      }
    }
    for (const r of rows.values()) {
      r.totalFen = r.acceptedFen + r.employeeFen + r.fairFen;
    }
    const ordered = [...rows.values()].sort(
      (a, b) => b.totalFen - a.totalFen || String(a.key).localeCompare(String(b.key)),
    );
    const totals = ordered.reduce(
      (t, r) => ({
        orders: t.orders + r.orders,
        acceptedFen: t.acceptedFen + r.acceptedFen,
        employeeFen: t.employeeFen + r.employeeFen,
        fairFen: t.fairFen + r.fairFen,
        totalFen: t.totalFen + r.totalFen,
      }),
      { orders: 0, acceptedFen: 0, employeeFen: 0, fairFen: 0, totalFen: 0 },
    );
    return {
      year,
      groupBy,
      rows: ordered,
      totals,
      fairs: {
        ...fairTotal,
        unattributedFen: byOrganization ? unattributedFen : 0,
      },
    };
  }

  /** The report as one table (Chinese headers; yuan for reading, fen for sums). */
  procurementTable(r: ProcurementReportView): Table {
    const head = { organizationType: '单位类型', organization: '单位', supplier: '供应商', category: '品类' }[
      r.groupBy
    ];
    return [
      [head, '验收订单数', '单位采购(元)', '职工消费(元)', '赶场采购(元)', '合计(元)', '合计(分)'],
      ...r.rows.map((x) => [
        x.label,
        x.orders,
        formatYuan(x.acceptedFen),
        formatYuan(x.employeeFen),
        formatYuan(x.fairFen),
        formatYuan(x.totalFen),
        x.totalFen,
      ]),
      [
        '合计',
        r.totals.orders,
        formatYuan(r.totals.acceptedFen),
        formatYuan(r.totals.employeeFen),
        formatYuan(r.totals.fairFen),
        formatYuan(r.totals.totalFen),
        r.totals.totalFen,
      ],
      [],
      [
        '扶贫赶场',
        `${r.fairs.fairs} 场`,
        `${r.fairs.sales} 笔`,
        formatYuan(r.fairs.amountFen),
        null,
        null,
        r.fairs.amountFen,
      ],
    ];
  }

  /** The same report for a spreadsheet: amounts as numbers (yuan with two decimals, and fen). */
  procurementSheet(r: ProcurementReportView): Table {
    const yuan = (fen: number) => fen / 100;
    const head = this.procurementTable(r)[0];
    return [
      head,
      ...r.rows.map((x) => [
        x.label,
        x.orders,
        yuan(x.acceptedFen),
        yuan(x.employeeFen),
        yuan(x.fairFen),
        yuan(x.totalFen),
        x.totalFen,
      ]),
      [
        '合计',
        r.totals.orders,
        yuan(r.totals.acceptedFen),
        yuan(r.totals.employeeFen),
        yuan(r.totals.fairFen),
        yuan(r.totals.totalFen),
        r.totals.totalFen,
      ],
      [],
      ['扶贫赶场', r.fairs.fairs, r.fairs.sales, yuan(r.fairs.amountFen), null, null, r.fairs.amountFen],
    ];
  }

  /** Organizations with a quota for the year whose counted purchases fall short of it, furthest first. */
  async belowQuota(year: number): Promise<BelowQuotaView[]> {
    const quotas = await this.organizations.quotasOfYear(year);
    const progress = await this.organizations.progress(
      quotas.map((q) => q.organizationId),
      year,
    );
    const orgs = await this.organizations.findMany(quotas.map((q) => q.organizationId));
    return progress
      .filter((p) => p.countedFen < p.amountFen)
      .map((p) => ({
        organizationId: p.organizationId,
        name: orgs.get(p.organizationId)?.name ?? '',
        type: orgs.get(p.organizationId)?.type ?? '',
        amountFen: p.amountFen,
        countedFen: p.countedFen,
        remainingFen: p.remainingFen,
        progressBps: p.progressBps,
      }))
      .sort((a, b) => a.progressBps - b.progressBps || a.organizationId.localeCompare(b.organizationId));
  }

  /**
   * Progress by department up to the end of `month`: budget units with a canteen, how many declared a
   * reserved share, the reserved amounts planned, what has been counted toward them, and the share done.
   */
  async monthly(year: number, month: number): Promise<MonthlyReportView> {
    const units = (await this.organizations.all()).filter(
      (o) => o.type === OrganizationType.BudgetUnit && o.hasCanteen,
    );
    const quotas = new Map(
      (await this.organizations.quotasOfYear(year))
        .filter((q) => q.shareBps !== null)
        .map((q) => [q.organizationId, q]),
    );
    const withShare = units.filter((u) => quotas.has(u.id)).map((u) => u.id);
    const progress = new Map(
      (await this.organizations.progress(withShare, year, lastDayOf(year, month))).map((p) => [
        p.organizationId,
        p,
      ]),
    );
    const departments = new Map<string | null, DepartmentProgressView>();
    for (const u of units) {
      const d =
        departments.get(u.department) ??
        departments
          .set(u.department, {
            department: u.department,
            units: 0,
            unitsWithShare: 0,
            plannedFen: 0,
            completedFen: 0,
            doneBps: 0,
          })
          .get(u.department)!;
      d.units++;
      const p = progress.get(u.id);
      if (p) {
        d.unitsWithShare++;
        d.plannedFen += p.amountFen;
        d.completedFen += p.countedFen;
      }
    }
    const done = (d: DepartmentProgressView) => ({
      ...d,
      doneBps: d.plannedFen ? Math.floor((d.completedFen * 10000) / d.plannedFen) : 0,
    });
    const list = [...departments.values()]
      .map(done)
      .sort((a, b) => String(a.department ?? '\uffff').localeCompare(String(b.department ?? '\uffff')));
    const total = done(
      list.reduce(
        (t, d) => ({
          ...t,
          units: t.units + d.units,
          unitsWithShare: t.unitsWithShare + d.unitsWithShare,
          plannedFen: t.plannedFen + d.plannedFen,
          completedFen: t.completedFen + d.completedFen,
        }),
        { department: '合计', units: 0, unitsWithShare: 0, plannedFen: 0, completedFen: 0, doneBps: 0 },
      ),
    );
    return { year, month, departments: list, total };
  }

  monthlyTable(r: MonthlyReportView): Table {
    const line = (d: DepartmentProgressView): (string | number)[] => [
      d.department ?? '未分部门',
      d.units,
      d.unitsWithShare,
      d.plannedFen / 100,
      d.completedFen / 100,
      d.doneBps / 100,
    ];
    return [
      [
        '主管部门',
        '有食堂的预算单位数',
        '已申报预留份额单位数',
        '预留采购总额(元)',
        '已完成采购额(元)',
        '完成进度(%)',
      ],
      ...r.departments.map(line),
      line(r.total),
    ];
  }

  /**
   * The year's sales and household income, by channel, by the buying organization's type and by the
   * households' town. Sales are paid orders net of refunds; income is what the ledger credited households.
   */
  async impact(year: number): Promise<ImpactView> {
    const [from, to] = yearRange(year);
    const [sales, income, orgs] = await Promise.all([
      this.orders.paidTotals(from, to),
      this.income.saleIncome(from, to),
      this.organizations.all(),
    ]);
    const typeOf = new Map(orgs.map((o) => [o.id, o.type]));
    const add = (
      m: Map<string | null, ImpactRowView>,
      key: string | null,
      label: string,
      s: number,
      h: number,
    ) => {
      const r = m.get(key) ?? m.set(key, { key, label, salesFen: 0, householdIncomeFen: 0 }).get(key)!;
      r.salesFen = (r.salesFen ?? 0) + s;
      r.householdIncomeFen += h;
    };
    const byChannel = new Map<string | null, ImpactRowView>();
    const byType = new Map<string | null, ImpactRowView>();
    const byTown = new Map<string | null, ImpactRowView>();
    for (const c of Object.keys(CHANNEL_LABELS)) {
      add(byChannel, c, CHANNEL_LABELS[c], 0, 0);
    }
    const typeKey = (orgId: string | null) => (orgId ? (typeOf.get(orgId) ?? null) : null);
    const typeLabel = (t: string | null) => (t ? TYPE_LABELS[t as OrganizationType] : '个人消费');
    for (const s of sales) {
      add(byChannel, s.channel, CHANNEL_LABELS[s.channel] ?? s.channel, s.fen, 0);
      const t = typeKey(s.organizationId);
      add(byType, t, typeLabel(t), s.fen, 0);
    }
    const householdIds = [...new Set(income.map((i) => i.householdId))];
    const households = await this.households.findMany(householdIds);
    const villages = await this.regions.findMany([
      ...new Set([...households.values()].map((h) => h.villageCode)),
    ]);
    const towns = await this.regions.findMany([
      ...new Set([...villages.values()].map((v) => v.parentCode).filter((c): c is string => !!c)),
    ]);
    let householdIncomeFen = 0;
    const earning = new Map<string, number>();
    for (const i of income) {
      householdIncomeFen += i.fen;
      earning.set(i.householdId, (earning.get(i.householdId) ?? 0) + i.fen);
      add(byChannel, i.channel, CHANNEL_LABELS[i.channel] ?? i.channel, 0, i.fen);
      const t = typeKey(i.organizationId);
      add(byType, t, typeLabel(t), 0, i.fen);
      const village = villages.get(households.get(i.householdId)?.villageCode ?? '');
      const town = village?.parentCode ?? null;
      if (!byTown.has(town)) {
        // A sale's lines may come from several towns: only income is split by town.
        byTown.set(town, {
          key: town,
          label: (town && towns.get(town)?.name) || '未知',
          salesFen: null,
          householdIncomeFen: 0,
        });
      }
      byTown.get(town)!.householdIncomeFen += i.fen;
    }
    const sorted = (m: Map<string | null, ImpactRowView>) =>
      [...m.values()].sort(
        (a, b) => b.householdIncomeFen - a.householdIncomeFen || String(a.key).localeCompare(String(b.key)),
      );
    return {
      year,
      byChannel: sorted(byChannel),
      byOrganizationType: sorted(byType),
      byTown: sorted(byTown),
      salesFen: sales.reduce((a, s) => a + s.fen, 0),
      householdIncomeFen,
      households: [...earning.values()].filter((f) => f > 0).length,
    };
  }
}
