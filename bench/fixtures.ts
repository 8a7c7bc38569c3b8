import { must } from './http';

/** District 500101, town 500101113 and the poor village 500101113201 (Chuanxing), as an administrator. */
export async function village(base: string, admin: string): Promise<string> {
  await must(base, 'POST', '/api/v1/regions', { code: '500101', name: '万州区', level: 'DISTRICT' }, admin);
  await must(
    base,
    'POST',
    '/api/v1/regions',
    { code: '500101113', name: '分水镇', level: 'TOWN', parentCode: '500101' },
    admin,
  );
  await must(
    base,
    'POST',
    '/api/v1/regions',
    { code: '500101113201', name: '川星村', level: 'VILLAGE', parentCode: '500101113', poorVillage: true },
    admin,
  );
  return '500101113201';
}
