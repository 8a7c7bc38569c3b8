import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AuthUser, Role } from '@/common/auth/role';
import { splitFen } from '@/common/money';
import { businessDate } from '@/common/time';
import { Env } from '@/config/env';
import { parseDatabaseUrl } from '@/infrastructure/database/database-url';
import { migrate } from '@/infrastructure/database/migrate';
import { LotsService } from '@/modules/catalog/lots.service';
import { ProductsService } from '@/modules/catalog/products.service';
import { HouseholdStatus } from '@/modules/households/entities/household.entity';
import { HouseholdsService } from '@/modules/households/households.service';
import { UsersService } from '@/modules/identity/users.service';
import { HostKind } from '@/modules/livestream/entities/host.entity';
import { HostsService } from '@/modules/livestream/hosts.service';
import { OrganizationType } from '@/modules/procurement/entities/organization.entity';
import { FairsService } from '@/modules/procurement/fairs.service';
import { OrganizationsService } from '@/modules/procurement/organizations.service';
import { ProcurementOrdersService } from '@/modules/procurement/procurement-orders.service';
import { RegionLevel } from '@/modules/regions/entities/region.entity';
import { RegionsService } from '@/modules/regions/regions.service';
import { LinkageType } from '@/modules/suppliers/entities/benefit-linkage.entity';
import { SupplierType } from '@/modules/suppliers/entities/supplier.entity';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import * as demo from './demo-data';

export interface SeedResult {
  loaded: boolean;
  reason?: string;
  counts?: Record<string, number>;
}

const SYSTEM: AuthUser = {
  id: 'seed',
  username: 'seed',
  roles: [Role.Admin],
  organizationId: null,
  hostId: null,
  supplierId: null,
  regionCode: null,
};

/** Loads the Wanzhou demo through the same services the API uses, when the database holds no data yet. */
export async function seedIfEmpty(app: INestApplicationContext, env: Env): Promise<SeedResult> {
  const db = app.get<DataSource>(getDataSourceToken());
  const [{ n }] = (await db.query(
    'SELECT (SELECT COUNT(*) FROM regions) + (SELECT COUNT(*) FROM products) AS n',
  )) as {
    n: string;
  }[];
  if (Number(n) > 0) {
    await app.get(UsersService).ensureAdmin(env.ADMIN_USERNAME, env.ADMIN_PASSWORD);
    return { loaded: false, reason: 'the database already holds data' };
  }
  // Two copies starting together: the named lock lets one load while the other waits and then skips.
  // Named locks are server-wide: name it after the database, so other databases on the server do not wait.
  const lock = `cs_seed:${db.options.database as string}`.slice(0, 64);
  const [{ ok }] = (await db.query('SELECT GET_LOCK(?, 0) AS ok', [lock])) as { ok: number }[];
  if (Number(ok) !== 1) {
    return { loaded: false, reason: 'another process is loading it' };
  }
  try {
    // The first administrator exists first: the district's books of 2020 are entered in its name.
    const users = app.get(UsersService);
    await users.ensureAdmin(env.ADMIN_USERNAME, env.ADMIN_PASSWORD);
    const admin: AuthUser = {
      ...SYSTEM,
      id: (await users.idOf(env.ADMIN_USERNAME))!,
      username: env.ADMIN_USERNAME,
    };
    const counts = await loadDemo(app, admin);
    return { loaded: true, counts };
  } finally {
    await db.query('SELECT RELEASE_LOCK(?)', [lock]);
  }
}

async function loadDemo(app: INestApplicationContext, admin: AuthUser): Promise<Record<string, number>> {
  const regions = app.get(RegionsService);
  const households = app.get(HouseholdsService);
  const suppliers = app.get(SuppliersService);
  const catalogProducts = app.get(ProductsService);
  const catalogLots = app.get(LotsService);
  const organizations = app.get(OrganizationsService);
  const hosts = app.get(HostsService);
  const users = app.get(UsersService);

  await regions.create({ code: demo.DISTRICT.code, name: demo.DISTRICT.name, level: RegionLevel.District });
  for (const t of demo.TOWNS) {
    await regions.create({
      code: t.code,
      name: t.name,
      level: RegionLevel.Town,
      parentCode: demo.DISTRICT.code,
    });
  }
  for (const v of demo.VILLAGES) {
    await regions.create({
      code: v.code,
      name: v.name,
      level: RegionLevel.Village,
      parentCode: v.town,
      poorVillage: v.poor,
    });
  }

  const hh = demo.demoHouseholds();
  const ids: string[] = [];
  for (const h of hh) {
    const created = await households.create({ ...h, status: h.status as HouseholdStatus });
    ids.push(created.id);
  }
  const group = (g: demo.DemoHousehold['group']) =>
    hh.map((h, i) => ({ ...h, id: ids[i] })).filter((h) => h.group === g);
  const directIn = (village: string) => group('direct').filter((h) => h.villageCode === village);

  const supplierIds = new Map<string, string>();
  for (const s of demo.SUPPLIERS) {
    const created = await suppliers.create({
      name: s.name,
      type: s.type as SupplierType,
      villageCode: s.village,
    });
    supplierIds.set(s.key, created.id);
  }
  let linkages = 0;
  for (const h of group('pepper')) {
    await suppliers.addLinkage(supplierIds.get('pepper')!, {
      type: LinkageType.PlotContract,
      householdId: h.id,
      plants: demo.PEPPER_CONTRACT.plants,
      managementFeeFenPerPlantYear: demo.PEPPER_CONTRACT.managementFeeFenPerPlantYear,
      pickingFeeFenPerJin: demo.PEPPER_CONTRACT.pickingFeeFenPerJin,
      dividendTiers: demo.PEPPER_CONTRACT.dividendTiers.map((t) => ({ ...t })),
      startsOn: '2026-01-01',
    });
    linkages++;
  }
  const pig = supplierIds.get('pigfarm')!;
  for (const h of group('equity')) {
    await suppliers.addLinkage(pig, {
      type: LinkageType.Equity,
      householdId: h.id,
      investedFen: demo.PIG_FARM_EQUITY.householdInvestedFen,
      annualDividendFen: demo.PIG_FARM_EQUITY.householdAnnualDividendFen,
      startsOn: '2026-01-01',
    });
    linkages++;
  }
  for (const village of demo.PIG_FARM_COLLECTIVES) {
    await suppliers.addLinkage(pig, {
      type: LinkageType.Equity,
      collectiveVillageCode: village,
      investedFen: demo.PIG_FARM_EQUITY.collectiveInvestedFen,
      annualDividendFen: demo.PIG_FARM_EQUITY.collectiveAnnualDividendFen,
      startsOn: '2026-01-01',
    });
    linkages++;
  }
  for (const h of group('worker')) {
    await suppliers.addLinkage(pig, {
      type: LinkageType.Employment,
      householdId: h.id,
      annualWageFen: demo.PIG_FARM_WORKERS.annualWageFen,
      startsOn: '2026-01-01',
    });
    linkages++;
  }
  // Cooperative members share in every sale of their cooperative.
  const members: Record<string, { id: string }[]> = {
    pepper: group('pepper'),
    tea: directIn('500101112202').slice(0, 8),
    citrus: directIn('500101112201').slice(5, 20),
    pigfarm: [],
    'union-coop': [],
  };
  for (const [key, bps] of [
    ['tea', 500],
    ['citrus', 400],
    ['union-coop', demo.UNION_COOP_SHARE_BPS],
  ] as const) {
    for (const m of key === 'union-coop' ? group('direct') : members[key]) {
      await suppliers.addLinkage(supplierIds.get(key)!, {
        type: LinkageType.RevenueShare,
        householdId: m.id,
        shareBps: bps,
      });
      linkages++;
    }
  }

  // Households selling their own produce: the k-th direct household of the product's village.
  const taken = new Map<string, number>();
  const productIds = new Map<string, string>();
  let lots = 0;
  for (const p of demo.PRODUCTS) {
    let supplierId = supplierIds.get(p.supplier);
    let own: { id: string }[] = members[p.supplier] ?? [];
    if (!supplierId) {
      const k = taken.get(p.village) ?? 0;
      taken.set(p.village, k + 1);
      const h = directIn(p.village)[k];
      const s = await suppliers.create({
        name: `${h.headName}家庭农场`,
        type: SupplierType.Household,
        villageCode: p.village,
        householdId: h.id,
      });
      supplierId = s.id;
      own = [h];
    }
    const product = await catalogProducts.createProduct(SYSTEM, {
      name: p.name,
      category: p.category,
      unit: p.unit,
      priceFen: p.priceFen,
      supplierId,
      originVillageCode: p.village,
      certificateNo: p.certificateNo ?? undefined,
      certifiedUntil: p.certifiedUntil ?? undefined,
    });
    productIds.set(p.key, product.id);
    let offset = 0;
    for (const lot of p.lots) {
      const sourceHouseholds = own.slice(offset, offset + lot.households);
      offset += lot.households;
      const parts = sourceHouseholds.length
        ? splitFen(
            lot.quantity,
            sourceHouseholds.map(() => 1),
          )
        : [];
      await catalogLots.createLot(SYSTEM, product.id, {
        quantity: lot.quantity,
        producedAt: lot.producedAt,
        expiresAt: lot.expiresAt,
        sources: sourceHouseholds.length
          ? sourceHouseholds.map((h, i) => ({ householdId: h.id, quantity: parts[i] }))
          : undefined,
      });
      lots++;
    }
  }

  // Groups first, so that their member units can name them.
  const orgIds = new Map<string, string>();
  for (const o of [...demo.ORGANIZATIONS].sort((a, b) => Number(!!a.parent) - Number(!!b.parent))) {
    const created = await organizations.create({
      name: o.name,
      type: o.type as OrganizationType,
      parentId: o.parent ? orgIds.get(o.parent) : undefined,
      hasCanteen: o.hasCanteen,
      department: o.department,
      villageCodes: o.villages,
    });
    orgIds.set(o.key, created.organization.id);
  }
  const hostIds = new Map<string, string>();
  for (const h of demo.HOSTS) {
    hostIds.set(
      h.key,
      (await hosts.create({ name: h.name, kind: h.kind as HostKind, regionCode: h.region ?? undefined })).id,
    );
  }
  for (const u of demo.DEMO_USERS) {
    await users.create({
      username: u.username,
      password: u.password,
      roles: [...u.roles] as Role[],
      organizationId: 'organization' in u ? orgIds.get(u.organization) : undefined,
      hostId: 'host' in u ? hostIds.get(u.host) : undefined,
      supplierId: 'supplier' in u ? supplierIds.get(u.supplier) : undefined,
      regionCode: 'region' in u ? u.region : undefined,
    });
  }
  const citizen = await users.citizenByPhone(demo.DEMO_CITIZEN_PHONE);
  const procurement = await loadProcurement(app, admin, orgIds, productIds.get('unit-box')!, group('direct'));
  // The demo citizen works at the finance bureau: its purchases count toward the bureau's quota.
  const finance = orgIds.get('finance')!;
  await organizations.requestEmployer({ ...SYSTEM, id: citizen.id, roles: [Role.Citizen] }, finance);
  await organizations.confirmEmployee(admin, finance, citizen.id);

  return {
    regions: 1 + demo.TOWNS.length + demo.VILLAGES.length,
    households: hh.length,
    suppliers: demo.SUPPLIERS.length + [...taken.values()].reduce((a, b) => a + b, 0),
    linkages,
    products: demo.PRODUCTS.length,
    lots,
    organizations: demo.ORGANIZATIONS.length,
    ...procurement,
    hosts: demo.HOSTS.length,
    users: demo.DEMO_USERS.length + 1,
  };
}

/**
 * The source's 2020: every organization's purchases as two booked orders of unit boxes (accepted in spring
 * and in autumn, paid three weeks later), its quota for the year, and about 50 village fairs whose stall
 * sales are the households' income; and this year's quota of the demo unit.
 */
async function loadProcurement(
  app: INestApplicationContext,
  admin: AuthUser,
  orgIds: Map<string, string>,
  boxId: string,
  direct: { id: string; villageCode: string }[],
): Promise<Record<string, number>> {
  const organizations = app.get(OrganizationsService);
  const orders = app.get(ProcurementOrdersService);
  const fairs = app.get(FairsService);
  const year = demo.PROCUREMENT_2020.year;
  const date = (month: number, day: number) =>
    `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  let booked = 0;
  for (const [i, o] of demo.ORGANIZATIONS.entries()) {
    const organizationId = orgIds.get(o.key)!;
    if (o.quota2020) {
      await organizations.setQuota(organizationId, year, o.quota2020);
    }
    const [spring, autumn] = splitFen(o.boxes2020, [3, 2]);
    for (const [k, boxes] of [spring, autumn].entries()) {
      const month = 3 + (i % 5) + k * 4;
      await orders.bookAccepted(admin, {
        organizationId,
        lines: [{ productId: boxId, quantity: boxes }],
        acceptedOn: date(month, 15),
        paidOn: date(month + 1, 5),
        invoiceNo: `FP${year}${String(i + 1).padStart(3, '0')}${k + 1}`,
        paymentRef: `WZCZ${year}-${String(i + 1).padStart(3, '0')}-${k + 1}`,
      });
      booked++;
    }
  }
  await organizations.setQuota(
    orgIds.get('finance')!,
    Number(businessDate().slice(0, 4)),
    demo.FINANCE_QUOTA_NOW,
  );
  const goods = ['土鸡蛋', '腊肉', '土鸡', '蜂蜜', '时令蔬菜'];
  const perSale = splitFen(demo.PROCUREMENT_2020.fairFen / demo.PROCUREMENT_2020.fairs, [3, 2, 2, 2, 1]);
  const poor = demo.VILLAGES.filter((v) => v.poor);
  let sales = 0;
  for (let k = 0; k < demo.PROCUREMENT_2020.fairs; k++) {
    const village = poor[k % poor.length];
    const day = new Date(Date.UTC(year, 0, 5 + 6 * k)).toISOString().slice(0, 10);
    const fair = await fairs.create(admin, {
      name: `${village.name}扶贫赶场（第${Math.floor(k / poor.length) + 1}场）`,
      villageCode: village.code,
      date: day,
      organizationId: orgIds.get(k % 44 === 0 ? 'district-group' : `district-group-${(k % 44) + 1}`),
    });
    for (let s = 0; s < demo.PROCUREMENT_2020.fairSalesPerFair; s++) {
      const h = direct[(k * demo.PROCUREMENT_2020.fairSalesPerFair + s) % direct.length];
      await fairs.addSale(admin, fair.id, {
        householdId: h.id,
        description: goods[s],
        quantity: 10 + s * 5,
        amountFen: perSale[s],
      });
      sales++;
    }
  }
  return { procurementOrders: booked, fairs: demo.PROCUREMENT_2020.fairs, fairSales: sales };
}

/** `npm run seed [-- --reset]`: migrate, then load the demo into an empty database (`--reset` empties it first). */
export async function runSeedCommand(env: Env, reset: boolean): Promise<SeedResult> {
  if (reset) {
    const t = parseDatabaseUrl(env.DATABASE_URL);
    const conn = await createConnection({ host: t.host, port: t.port, user: t.user, password: t.password });
    await conn.query(`DROP DATABASE IF EXISTS \`${t.database}\``);
    await conn.end();
  }
  await migrate(env);
  const { createWorkerContext } = await import('../app');
  const ctx = await createWorkerContext({ env, role: 'api' });
  try {
    return await seedIfEmpty(ctx, env);
  } finally {
    await ctx.close();
  }
}
