import { idCheckChar } from '@/modules/households/dto/household.dto';
import { TestApp } from './test-app';

let seq = 0;
const next = () => ++seq;

/** A valid 18-character resident ID number, different on every call. */
export function idNumber(n = next()): string {
  const body = `5001011980${String(100000 + ((n * 7919) % 900000)).slice(0, 4)}${String(n % 1000).padStart(3, '0')}`;
  return body + idCheckChar(body);
}

async function post<T = any>(t: TestApp, path: string, body: object, token = t.adminToken): Promise<T> {
  const res = await t.http().post(`/api/v1${path}`).set('Authorization', token).send(body);
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body as T;
}

/** Row factories through the public API, as an administrator would create them. */
export function factory(t: TestApp) {
  return {
    /** District 500101, town 500101113 and village 500101113201 (and a second town/village pair). */
    async regions() {
      await post(t, '/regions', { code: '500101', name: '万州区', level: 'DISTRICT' });
      await post(t, '/regions', { code: '500101113', name: '分水镇', level: 'TOWN', parentCode: '500101' });
      await post(t, '/regions', {
        code: '500101113201',
        name: '川星村',
        level: 'VILLAGE',
        parentCode: '500101113',
        poorVillage: true,
      });
      await post(t, '/regions', { code: '500101118', name: '长岭镇', level: 'TOWN', parentCode: '500101' });
      await post(t, '/regions', {
        code: '500101118201',
        name: '安溪村',
        level: 'VILLAGE',
        parentCode: '500101118',
        poorVillage: true,
      });
      return {
        district: '500101',
        town: '500101113',
        village: '500101113201',
        otherTown: '500101118',
        otherVillage: '500101118201',
      };
    },
    household(over: Record<string, unknown> = {}) {
      const n = next();
      return post<{ id: string; idNumber: string }>(t, '/households', {
        registryNo: `T-${n}-${Date.now()}`,
        headName: '王德明',
        idNumber: idNumber(n),
        members: 4,
        villageCode: '500101113201',
        ...over,
      });
    },
    supplier(over: Record<string, unknown> = {}) {
      return post<{ id: string }>(t, '/suppliers', {
        name: `合作社${next()}`,
        type: 'COOPERATIVE',
        villageCode: '500101113201',
        ...over,
      });
    },
    product(supplierId: string, over: Record<string, unknown> = {}) {
      return post<{ id: string; status: string }>(t, '/products', {
        name: `花椒${next()}`,
        category: '花椒',
        unit: '袋',
        priceFen: 6800,
        supplierId,
        originVillageCode: '500101113201',
        certificateNo: `CERT-${next()}`,
        certifiedUntil: '2099-12-31',
        ...over,
      });
    },
    lot(productId: string, body: Record<string, unknown>) {
      return post<{ id: string }>(t, `/products/${productId}/lots`, body);
    },
    user(body: Record<string, unknown>) {
      return post<{ id: string }>(t, '/users', body);
    },
    organization(over: Record<string, unknown> = {}) {
      return post<{ id: string }>(t, '/organizations', {
        name: `单位${next()}`,
        type: 'BUDGET_UNIT',
        ...over,
      });
    },
    host(over: Record<string, unknown> = {}) {
      return post<{ id: string }>(t, '/live/hosts', {
        name: `主播${next()}`,
        kind: 'PARTY_SECRETARY',
        ...over,
      });
    },
    post: <T = any>(path: string, body: object, token?: string) => post<T>(t, path, body, token),
    /** Signs a citizen in by SMS code, as the phone app does; returns the bearer header value. */
    async citizen(phone: string): Promise<string> {
      const asked = await t.http().post('/api/v1/auth/otp/request').send({ phone });
      if (asked.status !== 202) {
        throw new Error(`otp request ${asked.status} ${JSON.stringify(asked.body)}`);
      }
      const sms = await t.http().get(`/api/v1/dev/sms?phone=${phone}`);
      const code = /(\d{6})/.exec(sms.body[0].text as string)![1];
      const res = await t.http().post('/api/v1/auth/otp/verify').send({ phone, code });
      return `Bearer ${res.body.accessToken as string}`;
    },
  };
}
