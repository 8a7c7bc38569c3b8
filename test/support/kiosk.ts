import { randomBytes } from 'node:crypto';
import { CabinetSimulator } from '@/modules/kiosk/device/cabinet-simulator';
import { factory } from './factory';
import { TestApp } from './test-app';

export interface StockedCabinet {
  code: string;
  secret: string;
  qrUrl: string;
  teaId: string;
  teaLotId: string;
  pepperId: string;
  pepperLotId: string;
  householdId: string;
  sim: CabinetSimulator;
}

/** A code no other test file uses (every test app listens to every cabinet's events). */
export const cabinetCode = (label: string) => `T${label}-${randomBytes(4).toString('hex')}`.slice(0, 32);

/**
 * A cabinet with two stocked slots, and its simulator online: slot 1 holds 20 boxes of Three Gorges green
 * tea (250 g each, 29.90 yuan) and slot 2 holds 10 bags of Sichuan pepper (500 g, 68.00 yuan), both from one
 * household's own supplier (every fen of a sale is that household's).
 */
export async function stockedCabinet(
  t: TestApp,
  label: string,
  opts: { regions?: boolean; heartbeatMs?: number; autoOpen?: boolean } = {},
): Promise<StockedCabinet> {
  const f = factory(t);
  if (opts.regions !== false) {
    await f.regions();
  }
  const h = await f.household();
  const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: h.id });
  const tea = await f.product(supplier.id, {
    name: '三峡绿茶',
    category: '茶叶',
    unit: '盒',
    priceFen: 2990,
  });
  const pepper = await f.product(supplier.id, {
    name: '川星花椒',
    category: '花椒',
    unit: '袋',
    priceFen: 6800,
  });
  const teaLot = await f.lot(tea.id, { quantity: 100 });
  const pepperLot = await f.lot(pepper.id, { quantity: 50 });
  const code = cabinetCode(label);
  const cabinet = await f.post<{ code: string; deviceSecret: string; qrUrl: string }>('/cabinets', {
    code,
    name: '万州区行政中心专柜',
    siteType: 'GOVERNMENT',
    address: '万州区行政中心一楼大厅',
  });
  await put(t, code, 1, {
    productId: tea.id,
    lotId: teaLot.id,
    unitWeightGrams: 250,
    toleranceGrams: 20,
    quantity: 20,
    parLevel: 5,
  });
  await put(t, code, 2, {
    productId: pepper.id,
    lotId: pepperLot.id,
    unitWeightGrams: 500,
    toleranceGrams: 30,
    quantity: 10,
    parLevel: 4,
  });
  const sim = new CabinetSimulator({
    code,
    secret: cabinet.deviceSecret,
    url: t.env.MQTT_URL,
    heartbeatMs: opts.heartbeatMs ?? 30_000,
    autoOpen: opts.autoOpen ?? true,
    // The scales read the goods plus the tray.
    slots: [
      { slotNo: 1, weightGrams: 20 * 250 + 120 },
      { slotNo: 2, weightGrams: 10 * 500 + 120 },
    ],
  });
  await sim.start();
  return {
    code,
    secret: cabinet.deviceSecret,
    qrUrl: cabinet.qrUrl,
    teaId: tea.id,
    teaLotId: teaLot.id,
    pepperId: pepper.id,
    pepperLotId: pepperLot.id,
    householdId: h.id,
    sim,
  };
}

async function put(t: TestApp, code: string, slotNo: number, body: object): Promise<void> {
  const res = await t
    .http()
    .put(`/api/v1/cabinets/${code}/slots/${slotNo}`)
    .set('Authorization', t.adminToken)
    .send(body);
  if (res.status !== 200) {
    throw new Error(`PUT slot ${slotNo} → ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** A citizen signed in, with a pay-after-use agreement. */
export async function agreedCitizen(t: TestApp, phone: string): Promise<string> {
  const token = await factory(t).citizen(phone);
  const res = await t
    .http()
    .post('/api/v1/me/payment-agreements')
    .set('Authorization', token)
    .send({ provider: 'sandbox' });
  if (res.status !== 201) {
    throw new Error(`agreement → ${res.status} ${JSON.stringify(res.body)}`);
  }
  return token;
}
