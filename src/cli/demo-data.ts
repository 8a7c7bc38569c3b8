/**
 * The Wanzhou demo: figures from DOMAIN.md (the 2020 report on Wanzhou district). Pure data, no I/O:
 * the same content on every run.
 */
import { idCheckChar, isValidIdNumber } from '@/modules/households/dto/household.dto';

export const DISTRICT = { code: '500101', name: '万州区' };

export const TOWNS = [
  { code: '500101113', name: '分水镇' },
  { code: '500101118', name: '长岭镇' },
  { code: '500101121', name: '龙驹镇' },
  { code: '500101112', name: '太龙镇' },
];

/** Villages; `poor` marks the registered poor villages. */
export const VILLAGES = [
  { code: '500101113201', town: '500101113', name: '川星村', poor: true },
  { code: '500101113202', town: '500101113', name: '石碾村', poor: false },
  { code: '500101118201', town: '500101118', name: '安溪村', poor: true },
  { code: '500101118202', town: '500101118', name: '青山村', poor: true },
  { code: '500101118203', town: '500101118', name: '燕山村', poor: false },
  { code: '500101118204', town: '500101118', name: '松岭村', poor: true },
  { code: '500101118205', town: '500101118', name: '龙泉村', poor: false },
  { code: '500101118206', town: '500101118', name: '双溪村', poor: true },
  { code: '500101121201', town: '500101121', name: '凤凰村', poor: true },
  { code: '500101121202', town: '500101121', name: '竹林村', poor: true },
  { code: '500101112201', town: '500101112', name: '橙香村', poor: true },
  { code: '500101112202', town: '500101112', name: '茶园村', poor: false },
];

export const CHUANXING = '500101113201';
export const ANXI = '500101118201';
/** The six village collectives that invested in the Anxi eco pig farm. */
export const PIG_FARM_COLLECTIVES = [
  '500101118201',
  '500101118202',
  '500101118203',
  '500101118204',
  '500101118205',
  '500101118206',
];

/** The "four splits" plot contract of the Chuanxing pepper cooperative. */
export const PEPPER_CONTRACT = {
  households: 80,
  plants: 2200,
  managementFeeFenPerPlantYear: 450, // 4.50 yuan per plant per year
  pickingFeeFenPerJin: 120, // 1.20 yuan per jin picked
  dividendTiers: [
    { minJinPerPlant: 0, shareBps: 200 }, // 2 % of sales under 10 jin per plant
    { minJinPerPlant: 10, shareBps: 300 }, // 3 % at 10 jin or more
  ],
};

export const PIG_FARM_EQUITY = {
  households: 24,
  householdInvestedFen: 5_000_000, // 50,000 yuan
  householdAnnualDividendFen: 400_000, // 4,000 yuan a year
  collectiveInvestedFen: 40_000_000, // 400,000 yuan
  collectiveAnnualDividendFen: 5_000_000, // 50,000 yuan a year
};

export const PIG_FARM_WORKERS = { households: 10, annualWageFen: 2_500_000 }; // 25,000 yuan a year

/** Households that sell their own produce (direct model), by village. */
export const DIRECT_HOUSEHOLDS: { village: string; count: number }[] = [
  { village: '500101113202', count: 10 },
  { village: '500101121201', count: 20 },
  { village: '500101121202', count: 20 },
  { village: '500101112201', count: 20 },
  { village: '500101112202', count: 16 },
];

const SURNAMES = '王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林谭冉向谢';
const GIVEN = [
  '德明',
  '光荣',
  '秀英',
  '国华',
  '建平',
  '玉兰',
  '正军',
  '桂芳',
  '永福',
  '小红',
  '大勇',
  '世清',
  '春花',
  '成才',
  '家富',
  '淑珍',
  '志强',
  '翠兰',
  '长江',
  '明贵',
];

/** A small deterministic generator (mulberry32), so the demo is the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function idNumber(n: number, rand: () => number): string {
  const year = 1950 + Math.floor(rand() * 50);
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  const body = `500101${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  const id = body + idCheckChar(body);
  if (!isValidIdNumber(id)) {
    throw new Error(`generated an invalid ID number for household ${n}`);
  }
  return id;
}

export interface DemoHousehold {
  registryNo: string;
  headName: string;
  idNumber: string;
  phone: string;
  bankAccount: string;
  members: number;
  villageCode: string;
  status: 'LIFTED' | 'POOR';
  group: 'pepper' | 'equity' | 'worker' | 'direct';
}

/** About 200 households: 80 pepper, 24 equity, 10 workers, the rest selling their own produce. */
export function demoHouseholds(): DemoHousehold[] {
  const rand = prng(20201231);
  const out: DemoHousehold[] = [];
  const add = (villageCode: string, group: DemoHousehold['group']) => {
    const n = out.length + 1;
    out.push({
      registryNo: `WZ-2015-${String(n).padStart(4, '0')}`,
      headName: SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)],
      idNumber: idNumber(n, rand),
      phone: `139${String(23000000 + n * 7919).padStart(8, '0')}`,
      bankAccount: `6228480${String(100000000000 + n * 104729).padStart(12, '0')}`,
      members: 1 + Math.floor(rand() * 6),
      villageCode,
      status: n % 25 === 0 ? 'POOR' : 'LIFTED',
      group,
    });
  };
  for (let i = 0; i < PEPPER_CONTRACT.households; i++) {
    add(CHUANXING, 'pepper');
  }
  for (let i = 0; i < PIG_FARM_EQUITY.households; i++) {
    add(ANXI, 'equity');
  }
  for (let i = 0; i < PIG_FARM_WORKERS.households; i++) {
    add(PIG_FARM_COLLECTIVES[1 + (i % 5)], 'worker');
  }
  for (const { village, count } of DIRECT_HOUSEHOLDS) {
    for (let i = 0; i < count; i++) {
      add(village, 'direct');
    }
  }
  return out;
}

export interface DemoProduct {
  key: string;
  name: string;
  category: string;
  unit: string;
  priceFen: number;
  supplier: string;
  village: string;
  certificateNo: string | null;
  certifiedUntil: string | null;
  /** Each lot: quantity and how many source households (from the supplier's group) it is split over. */
  lots: { quantity: number; households: number; producedAt: string; expiresAt: string }[];
}

export const SUPPLIERS = [
  { key: 'pepper', name: '万州区川星花椒专业合作社', type: 'COOPERATIVE', village: CHUANXING },
  { key: 'pigfarm', name: '万州区安溪生态养殖场', type: 'ENTERPRISE', village: ANXI },
  { key: 'tea', name: '万州区茶园村三峡绿茶合作社', type: 'COOPERATIVE', village: '500101112202' },
  { key: 'citrus', name: '万州区橙香村玫瑰香橙合作社', type: 'COOPERATIVE', village: '500101112201' },
  // Packs the households' produce into the boxes units buy; each household selling its own produce has a
  // revenue share of every box sold.
  { key: 'union-coop', name: '万州区消费扶贫农特产品联合社', type: 'COOPERATIVE', village: '500101118202' },
] as const;

/** The union cooperative's revenue share per direct household (0.3 % each, 86 households: 25.8 %). */
export const UNION_COOP_SHARE_BPS = 30;

/** Household suppliers selling their own eggs, chicken, honey, bamboo shoots and vegetables. */
export const HOUSEHOLD_SUPPLIER_COUNT = 8;

export const PRODUCTS: DemoProduct[] = [
  {
    key: 'pepper',
    name: '万州花椒（干花椒 500克）',
    category: '花椒',
    unit: '袋',
    priceFen: 6800,
    supplier: 'pepper',
    village: CHUANXING,
    certificateNo: 'CQ-FP-2020-0113-001',
    certifiedUntil: '2027-12-31',
    lots: [
      { quantity: 2000, households: 20, producedAt: '2026-08-20', expiresAt: '2027-08-20' },
      { quantity: 1200, households: 12, producedAt: '2026-09-05', expiresAt: '2027-09-05' },
    ],
  },
  {
    key: 'pepper-oil',
    name: '川星花椒油 250毫升',
    category: '花椒',
    unit: '瓶',
    priceFen: 3900,
    supplier: 'pepper',
    village: CHUANXING,
    certificateNo: 'CQ-FP-2020-0113-002',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 600, households: 6, producedAt: '2026-09-15', expiresAt: '2027-09-15' }],
  },
  {
    key: 'pork',
    name: '安溪生态猪肉（鲜切 1斤）',
    category: '生态猪',
    unit: '斤',
    priceFen: 3600,
    supplier: 'pigfarm',
    village: ANXI,
    certificateNo: 'CQ-FP-2020-0118-001',
    certifiedUntil: '2027-06-30',
    lots: [{ quantity: 800, households: 0, producedAt: '2026-11-25', expiresAt: '2026-12-05' }],
  },
  {
    key: 'tea',
    name: '三峡绿茶 250克礼盒',
    category: '茶叶',
    unit: '盒',
    priceFen: 12800,
    supplier: 'tea',
    village: '500101112202',
    certificateNo: 'CQ-FP-2020-0112-001',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 500, households: 8, producedAt: '2026-04-10', expiresAt: '2028-04-10' }],
  },
  {
    key: 'fenghuang-tea',
    name: '凤凰茶 100克',
    category: '茶叶',
    unit: '盒',
    priceFen: 8800,
    supplier: 'tea',
    village: '500101112202',
    certificateNo: 'CQ-FP-2020-0112-002',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 300, households: 8, producedAt: '2026-04-20', expiresAt: '2028-04-20' }],
  },
  {
    key: 'orange',
    name: '玫瑰香橙 5公斤装',
    category: '柑橘',
    unit: '箱',
    priceFen: 5980,
    supplier: 'citrus',
    village: '500101112201',
    certificateNo: 'CQ-FP-2020-0112-003',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 1500, households: 15, producedAt: '2026-11-10', expiresAt: '2027-01-10' }],
  },
  {
    key: 'citrus',
    name: '万州红桔 5公斤装',
    category: '柑橘',
    unit: '箱',
    priceFen: 4580,
    supplier: 'citrus',
    village: '500101112201',
    certificateNo: 'CQ-FP-2020-0112-004',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 1000, households: 10, producedAt: '2026-11-12', expiresAt: '2027-01-12' }],
  },
  {
    key: 'kiwi',
    name: '红心猕猴桃 3公斤装',
    category: '水果',
    unit: '箱',
    priceFen: 6980,
    supplier: 'citrus',
    village: '500101112201',
    certificateNo: null,
    certifiedUntil: null,
    lots: [{ quantity: 400, households: 4, producedAt: '2026-10-01', expiresAt: '2026-12-31' }],
  },
  {
    key: 'chicken',
    name: '芦花鸡（整只 约2公斤）',
    category: '禽蛋',
    unit: '只',
    priceFen: 16800,
    supplier: 'household:0',
    village: '500101121201',
    certificateNo: 'CQ-FP-2020-0121-001',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 60, households: 1, producedAt: '2026-11-20', expiresAt: '2026-12-20' }],
  },
  {
    key: 'eggs',
    name: '土鸡蛋 30枚',
    category: '禽蛋',
    unit: '盒',
    priceFen: 4500,
    supplier: 'household:1',
    village: '500101121201',
    certificateNo: 'CQ-FP-2020-0121-002',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 200, households: 1, producedAt: '2026-11-25', expiresAt: '2026-12-25' }],
  },
  {
    key: 'duck',
    name: '散养麻鸭（整只）',
    category: '禽蛋',
    unit: '只',
    priceFen: 12800,
    supplier: 'household:2',
    village: '500101121202',
    certificateNo: 'CQ-FP-2020-0121-003',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 40, households: 1, producedAt: '2026-11-20', expiresAt: '2026-12-20' }],
  },
  {
    key: 'bamboo',
    name: '竹笋干 500克',
    category: '山货',
    unit: '袋',
    priceFen: 5800,
    supplier: 'household:3',
    village: '500101121202',
    certificateNo: 'CQ-FP-2020-0121-004',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 150, households: 1, producedAt: '2026-05-01', expiresAt: '2027-05-01' }],
  },
  {
    key: 'honey',
    name: '土蜂蜜 500克',
    category: '山货',
    unit: '瓶',
    priceFen: 8800,
    supplier: 'household:4',
    village: '500101112201',
    certificateNo: 'CQ-FP-2020-0112-005',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 120, households: 1, producedAt: '2026-09-01', expiresAt: '2028-09-01' }],
  },
  {
    key: 'vegetables',
    name: '时令蔬菜箱 5公斤',
    category: '蔬菜',
    unit: '箱',
    priceFen: 3900,
    supplier: 'household:5',
    village: '500101113202',
    certificateNo: 'CQ-FP-2020-0113-003',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 100, households: 1, producedAt: '2026-11-27', expiresAt: '2026-12-04' }],
  },
  {
    key: 'lapsed-honey',
    name: '百花蜂蜜 250克（认定已过期）',
    category: '山货',
    unit: '瓶',
    priceFen: 4800,
    supplier: 'household:6',
    village: '500101121202',
    certificateNo: 'CQ-FP-2019-0121-009',
    certifiedUntil: '2025-12-31',
    lots: [{ quantity: 50, households: 1, producedAt: '2025-09-01', expiresAt: '2027-09-01' }],
  },
  {
    // What units buy by the box: 500 yuan, so the source's yearly figures are whole boxes.
    key: 'unit-box',
    name: '万州消费扶贫农特产品礼箱（单位采购装）',
    category: '礼箱',
    unit: '箱',
    priceFen: 50_000,
    supplier: 'union-coop',
    village: '500101118202',
    certificateNo: 'CQ-FP-2020-0118-009',
    certifiedUntil: '2027-12-31',
    lots: [{ quantity: 45_000, households: 0, producedAt: '2026-10-01', expiresAt: '2027-10-01' }],
  },
];

export interface DemoOrganization {
  key: string;
  name: string;
  type: string;
  /** The assistance group it belongs to (a key). */
  parent?: string;
  hasCanteen?: boolean;
  department?: string;
  villages?: string[];
  /** 2020: boxes of the unit box it bought (each 500 yuan), and its quota. */
  boxes2020: number;
  quota2020?: { amountFen: number } | { canteenBaseFen: number; shareBps: number };
}

const POOR_VILLAGES = VILLAGES.filter((v) => v.poor).map((v) => v.code);

/** The 44 district assistance groups (区级帮扶集团), each paired with a poor village. */
const DISTRICT_GROUPS: DemoOrganization[] = Array.from({ length: 44 }, (_, i) => ({
  key: i === 0 ? 'district-group' : `district-group-${i + 1}`,
  name: `万州区第${i + 1}扶贫集团`,
  type: 'DISTRICT_GROUP',
  villages: [POOR_VILLAGES[i % POOR_VILLAGES.length]],
  // 17,680 boxes (8.84 million yuan) over 44 groups: 36 buy 402 boxes, 8 buy 401.
  boxes2020: i < 36 ? 402 : 401,
  quota2020: { amountFen: 20_000_000 },
}));

/**
 * Buying organizations. Their 2020 purchases reproduce the source's table: budget units 1.90 M yuan, the 44
 * district assistance groups 8.84 M, unions, schools, hospitals and state enterprises 5.08 M together, private
 * enterprises 0.80 M ("buying instead of donating"), municipal assistance groups 3.90 M.
 */
export const ORGANIZATIONS: DemoOrganization[] = [
  {
    key: 'finance',
    name: '万州区财政局',
    type: 'BUDGET_UNIT',
    parent: 'district-group',
    hasCanteen: true,
    department: '财政系统',
    boxes2020: 1200,
    // 4 million yuan of canteen food, 15 % reserved: 600,000 yuan.
    quota2020: { canteenBaseFen: 400_000_000, shareBps: 1500 },
  },
  {
    key: 'education',
    name: '万州区教育委员会',
    type: 'BUDGET_UNIT',
    parent: 'district-group-2',
    hasCanteen: true,
    department: '教育系统',
    boxes2020: 1100,
    quota2020: { canteenBaseFen: 500_000_000, shareBps: 1200 },
  },
  {
    key: 'health',
    name: '万州区卫生健康委员会',
    type: 'BUDGET_UNIT',
    parent: 'district-group-3',
    hasCanteen: true,
    department: '卫生系统',
    boxes2020: 900,
    quota2020: { canteenBaseFen: 450_000_000, shareBps: 1000 },
  },
  {
    key: 'agriculture',
    name: '万州区农业农村委员会',
    type: 'BUDGET_UNIT',
    parent: 'district-group-4',
    hasCanteen: true,
    department: '农业农村系统',
    boxes2020: 600,
    quota2020: { canteenBaseFen: 300_000_000, shareBps: 2000 },
  },
  ...DISTRICT_GROUPS,
  { key: 'municipal-group', name: '重庆市第一帮扶集团（万州）', type: 'MUNICIPAL_GROUP', boxes2020: 3000 },
  { key: 'municipal-group-2', name: '重庆市第二帮扶集团（万州）', type: 'MUNICIPAL_GROUP', boxes2020: 2600 },
  { key: 'municipal-group-3', name: '重庆市第三帮扶集团（万州）', type: 'MUNICIPAL_GROUP', boxes2020: 2200 },
  { key: 'union', name: '万州区总工会', type: 'UNION', hasCanteen: true, boxes2020: 2400 },
  { key: 'hospital', name: '万州区人民医院', type: 'PUBLIC_INSTITUTION', hasCanteen: true, boxes2020: 2900 },
  { key: 'school', name: '万州第二高级中学', type: 'PUBLIC_INSTITUTION', hasCanteen: true, boxes2020: 1860 },
  { key: 'soe', name: '三峡水务集团', type: 'STATE_ENTERPRISE', hasCanteen: true, boxes2020: 3000 },
  { key: 'private', name: '万州民营企业商会（以购代捐）', type: 'PRIVATE_ENTERPRISE', boxes2020: 1000 },
  { key: 'private-2', name: '重庆三峡果业有限公司（以购代捐）', type: 'PRIVATE_ENTERPRISE', boxes2020: 600 },
];

/** The source's 2020 table (fen), as the procurement report groups it. */
export const PROCUREMENT_2020 = {
  year: 2020,
  boxFen: 50_000,
  byType: {
    BUDGET_UNIT: 190_000_000,
    DISTRICT_GROUP: 884_000_000,
    /** Unions, schools, hospitals and state enterprises: one figure in the source. */
    'UNION+PUBLIC_INSTITUTION+STATE_ENTERPRISE': 508_000_000,
    PRIVATE_ENTERPRISE: 80_000_000,
    MUNICIPAL_GROUP: 390_000_000,
  },
  /** About 50 village fairs sold 0.50 million yuan straight from households' stalls. */
  fairs: 50,
  fairSalesPerFair: 5,
  fairFen: 50_000_000,
};

/** This year's quota of the demo unit (its buyer and approver sign in to the portal): 15 % of 1.2 M yuan. */
export const FINANCE_QUOTA_NOW = { canteenBaseFen: 120_000_000, shareBps: 1500 };

export const HOSTS = [
  { key: 'fenshui-secretary', name: '分水镇党委书记', kind: 'PARTY_SECRETARY', region: '500101113' },
  { key: 'chuanxing-first', name: '川星村驻村第一书记', kind: 'FIRST_SECRETARY', region: CHUANXING },
  { key: 'media', name: '万州融媒体主播', kind: 'MEDIA', region: null },
] as const;

/** One login per role; passwords are documented in the README (demo only). */
export const DEMO_USERS = [
  { username: 'operator', password: 'operator12345', roles: ['OPERATOR'] },
  { username: 'buyer', password: 'buyer12345', roles: ['UNIT_BUYER'], organization: 'finance' },
  { username: 'approver', password: 'approver12345', roles: ['UNIT_APPROVER'], organization: 'finance' },
  { username: 'host', password: 'host12345', roles: ['HOST'], host: 'fenshui-secretary' },
  { username: 'supplier', password: 'supplier12345', roles: ['SUPPLIER'], supplier: 'pepper' },
  { username: 'cadre', password: 'cadre12345', roles: ['CADRE'], region: '500101113' },
] as const;

/** The demo citizen logs in by SMS code (GET /api/v1/dev/sms shows it with the log provider). */
export const DEMO_CITIZEN_PHONE = '13800000001';
