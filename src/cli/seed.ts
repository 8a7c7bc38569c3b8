import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AuthUser, Role } from '@/common/auth/role';
import { splitFen } from '@/common/money';
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
import { OrganizationsService } from '@/modules/procurement/organizations.service';
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
    const counts = await loadDemo(app);
    await app.get(UsersService).ensureAdmin(env.ADMIN_USERNAME, env.ADMIN_PASSWORD);
    return { loaded: true, counts };
  } finally {
    await db.query('SELECT RELEASE_LOCK(?)', [lock]);
  }
}

async function loadDemo(app: INestApplicationContext): Promise<Record<string, number>> {
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
  };
  for (const [key, bps] of [
    ['tea', 500],
    ['citrus', 400],
  ] as const) {
    for (const m of members[key]) {
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

  const orgIds = new Map<string, string>();
  for (const o of demo.ORGANIZATIONS) {
    orgIds.set(
      o.key,
      (await organizations.create({ name: o.name, type: o.type as OrganizationType })).organization.id,
    );
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
  await users.citizenByPhone(demo.DEMO_CITIZEN_PHONE);

  return {
    regions: 1 + demo.TOWNS.length + demo.VILLAGES.length,
    households: hh.length,
    suppliers: demo.SUPPLIERS.length + [...taken.values()].reduce((a, b) => a + b, 0),
    linkages,
    products: demo.PRODUCTS.length,
    lots,
    organizations: demo.ORGANIZATIONS.length,
    hosts: demo.HOSTS.length,
    users: demo.DEMO_USERS.length + 1,
  };
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
