import { idCheckChar } from '@/modules/households/dto/household.dto';
import { must } from './http';

/**
 * The environment a benchmark starts the built service with: its own database and queue prefix, rate
 * limits out of the way, the sandbox confirming at once, warnings only.
 */
export function serviceEnv(
  databaseUrl: string,
  database: string,
  port: number,
  base: string,
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: database,
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    SEED_DEMO: 'false',
    NODE_ENV: 'development',
    RATE_LIMIT_PER_MINUTE: '1000000000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000000',
    OTP_RESEND_SECONDS: '0',
    SANDBOX_NOTIFY_DELAY_MS: '0',
    LOG_LEVEL: 'warn',
  };
}

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

/**
 * A registered household of the village (ID number 50010119800101<n>) and its own supplier, so every fen of
 * the supplier's sales is the household's.
 */
export async function householdSupplier(
  base: string,
  admin: string,
  h: { n: number; registryNo: string; headName: string; supplierName: string },
): Promise<{ householdId: string; supplierId: string }> {
  const body17 = `50010119800101${String(h.n).padStart(3, '0')}`;
  const household = await must(
    base,
    'POST',
    '/api/v1/households',
    {
      registryNo: h.registryNo,
      headName: h.headName,
      idNumber: body17 + idCheckChar(body17),
      members: 4,
      villageCode: '500101113201',
    },
    admin,
  );
  const supplier = await must(
    base,
    'POST',
    '/api/v1/suppliers',
    { name: h.supplierName, type: 'HOUSEHOLD', villageCode: '500101113201', householdId: household.id },
    admin,
  );
  return { householdId: household.id, supplierId: supplier.id };
}
