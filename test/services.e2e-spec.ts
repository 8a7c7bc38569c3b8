import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { connectAsync } from 'mqtt';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { ensureServices, parseDotEnv, probe, stopServices } from '../scripts/services';

jest.setTimeout(120000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    ports.add(await freePort());
  }
  return [...ports];
}

describe('scripts/services.js', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svc-e2e-'));
  });

  afterAll(async () => {
    await stopServices(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts MySQL, Redis and MQTT on free ports, then stops them', async () => {
    const [mysqlPort, redisPort, mqttPort] = await distinctFreePorts(3);
    const databaseUrl = `mysql://root@127.0.0.1:${mysqlPort}/svc_e2e`;
    const redisUrl = `redis://127.0.0.1:${redisPort}/0`;
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    const lines: string[] = [];

    const result = await ensureServices({
      databaseUrl,
      redisUrl,
      mqttUrl,
      dataDir,
      log: (l) => lines.push(l),
    });

    expect(result.mysql?.status).toBe('started');
    expect(result.redis?.status).toBe('started');
    expect(result.mqtt?.status).toBe('started');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^mysql: started from .* on 127\\.0\\.0\\.1:${mysqlPort} `));
    for (const name of [`mysql-${mysqlPort}`, `redis-${redisPort}`, `mosquitto-${mqttPort}`]) {
      expect(fs.existsSync(path.join(dataDir, name))).toBe(true);
    }

    // MySQL: real client, database created with utf8mb4
    const conn = await createConnection(databaseUrl);
    try {
      const [rows] = await conn.query<RowDataPacket[]>(
        'SELECT DATABASE() AS db, @@character_set_database AS cs, 1 + 1 AS two',
      );
      expect(rows[0]).toMatchObject({ db: 'svc_e2e', cs: 'utf8mb4', two: 2 });
    } finally {
      await conn.end();
    }

    // Redis
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }

    // MQTT
    const client = await connectAsync(mqttUrl, { reconnectPeriod: 0, connectTimeout: 5000 });
    try {
      expect(client.connected).toBe(true);
      await client.publishAsync('svc/e2e', 'ping', { qos: 1 });
    } finally {
      await client.endAsync();
    }

    // A second call finds them answering and starts nothing.
    const again = await ensureServices({ databaseUrl, redisUrl, mqttUrl, dataDir, log: () => undefined });
    expect([again.mysql?.status, again.redis?.status, again.mqtt?.status]).toEqual([
      'answering',
      'answering',
      'answering',
    ]);

    const stopped = await stopServices(dataDir);
    expect(stopped.map((s) => s.service).sort()).toEqual(
      [`mosquitto-${mqttPort}`, `mysql-${mysqlPort}`, `redis-${redisPort}`].sort(),
    );
    expect(await probe('mysql', '127.0.0.1', mysqlPort)).toBe('down');
    expect(await probe('redis', '127.0.0.1', redisPort)).toBe('down');
    expect(await probe('mqtt', '127.0.0.1', mqttPort)).toBe('down');
  });

  it('fails without starting anything when a non-local host does not answer, naming it and hiding the password', async () => {
    const lines: string[] = [];
    const emptyDir = fs.mkdtempSync(path.join(dataDir, 'remote-'));
    const attempt = ensureServices({
      databaseUrl: 'mysql://root:hunter2@db.invalid:3306/x',
      redisUrl: 'redis://:hunter2@cache.invalid:6379/0',
      mqttUrl: 'mqtt://broker.invalid:1883',
      dataDir: emptyDir,
      log: (l) => lines.push(l),
    });
    const error = await attempt.then(
      () => new Error('expected ensureServices to reject'),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain('db.invalid');
    expect(error.message).toContain('cache.invalid');
    expect(error.message).toContain('broker.invalid');
    expect(error.message).not.toContain('hunter2');
    expect(lines).toEqual([]);
    expect(fs.readdirSync(emptyDir)).toEqual([]);
  });

  it('parses .env files by hand', () => {
    expect(
      parseDotEnv(
        [
          '# comment',
          'DATABASE_URL=mysql://u:p@127.0.0.1:3307/db',
          'export REDIS_URL="redis://127.0.0.1:6380/1"',
          "MQTT_URL='mqtt://127.0.0.1:1884' # broker",
          'EMPTY=',
          'not a line',
        ].join('\n'),
      ),
    ).toEqual({
      DATABASE_URL: 'mysql://u:p@127.0.0.1:3307/db',
      REDIS_URL: 'redis://127.0.0.1:6380/1',
      MQTT_URL: 'mqtt://127.0.0.1:1884',
      EMPTY: '',
    });
  });
});
