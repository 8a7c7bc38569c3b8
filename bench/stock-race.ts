// The stock mechanism alone, in one process, without HTTP: the same rush of buyers against (a) the flash
// stock's Lua script in Redis, the winners writing their order and unit rows in one batched transaction, and
// (b) a plain MySQL row lock, `UPDATE … SET stock = stock - 1 WHERE stock > 0` inside the order transaction,
// then the order and its line. Both on a pool of 20 connections, as one api process has.
import { Redis } from 'ioredis';
import { createPool, Pool, ResultSetHeader } from 'mysql2/promise';
import { ulid } from 'ulid';
import { TAKE } from '@/modules/livestream/flash-stock';

export interface MechanismRace {
  seconds: number;
  sold: number;
  refused: number;
  latencies: number[];
}

async function rush(buyers: number, attempt: (i: number) => Promise<boolean>): Promise<MechanismRace> {
  const latencies: number[] = [];
  let sold = 0;
  let refused = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: buyers }, async (_, i) => {
      const s = performance.now();
      if (await attempt(i)) {
        sold++;
      } else {
        refused++;
      }
      latencies.push(performance.now() - s);
    }),
  );
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - t0) / 1000, sold, refused, latencies };
}

export async function mechanismRaces(
  databaseUrl: string,
  redisUrl: string,
  buyers: number,
  units: number,
): Promise<{ flash: MechanismRace; rowLock: MechanismRace; heldFlash: number; rowLeft: number }> {
  const pool: Pool = createPool({ uri: databaseUrl, connectionLimit: 20, multipleStatements: true });
  await pool.query(`CREATE TABLE m_offers (id char(26) PRIMARY KEY, stock int NOT NULL)`);
  await pool.query(`CREATE TABLE m_orders (id char(26) PRIMARY KEY, offer_id char(26) NOT NULL,
    buyer varchar(40) NOT NULL, total_fen bigint NOT NULL, created_at datetime(3) NOT NULL)`);
  await pool.query(`CREATE TABLE m_lines (order_id char(26) NOT NULL, line_no int NOT NULL,
    offer_id char(26) NOT NULL, quantity int NOT NULL, amount_fen bigint NOT NULL, PRIMARY KEY (order_id, line_no))`);
  await pool.query(`CREATE TABLE m_units (offer_id char(26) NOT NULL, unit_no int UNSIGNED NOT NULL,
    order_id char(26) NOT NULL, PRIMARY KEY (offer_id, unit_no))`);
  const redis = new Redis(redisUrl);

  const flashRace = async () => {
    const offer = ulid();
    await pool.query('INSERT INTO m_offers (id, stock) VALUES (?, ?)', [offer, units]);
    const [meta, free, marker] = [
      `bench:m:{${offer}}:meta`,
      `bench:m:{${offer}}:free`,
      `bench:m:{${offer}}:rebuild`,
    ];
    await redis.del(meta, free);
    await redis.zadd(free, ...Array.from({ length: units }, (_, i) => [i + 1, i + 1]).flat());
    await redis.hset(meta, 'ready', '1', 'free', String(units));
    const race = await rush(buyers, async (i) => {
      const r = (await redis.eval(TAKE, 3, meta, free, marker, 1, 0, `b${i}`)) as number[];
      if (r[0] !== 0) {
        return false;
      }
      const order = ulid();
      await pool.query(
        `START TRANSACTION;
         INSERT INTO m_orders (id, offer_id, buyer, total_fen, created_at) VALUES (?, ?, ?, 3990, NOW(3));
         INSERT INTO m_lines (order_id, line_no, offer_id, quantity, amount_fen) VALUES (?, 1, ?, 1, 3990);
         INSERT INTO m_units (offer_id, unit_no, order_id) VALUES (?, ?, ?);
         COMMIT`,
        [order, offer, `b${i}`, order, offer, offer, r[1], order],
      );
      return true;
    });
    const [[held]] = (await pool.query('SELECT COUNT(*) AS n FROM m_units WHERE offer_id = ?', [
      offer,
    ])) as any;
    await redis.del(meta, free);
    return { race, held: Number(held.n) };
  };

  const rowLockRace = async () => {
    const offer = ulid();
    await pool.query('INSERT INTO m_offers (id, stock) VALUES (?, ?)', [offer, units]);
    const race = await rush(buyers, async (i) => {
      const conn = await pool.getConnection();
      try {
        await conn.query('START TRANSACTION');
        const [taken] = await conn.query<ResultSetHeader>(
          'UPDATE m_offers SET stock = stock - 1 WHERE id = ? AND stock > 0',
          [offer],
        );
        if (taken.affectedRows !== 1) {
          await conn.query('ROLLBACK');
          return false;
        }
        const order = ulid();
        await conn.query(
          'INSERT INTO m_orders (id, offer_id, buyer, total_fen, created_at) VALUES (?, ?, ?, 3990, NOW(3))',
          [order, offer, `b${i}`],
        );
        await conn.query(
          'INSERT INTO m_lines (order_id, line_no, offer_id, quantity, amount_fen) VALUES (?, 1, ?, 1, 3990)',
          [order, offer],
        );
        await conn.query('COMMIT');
        return true;
      } finally {
        conn.release();
      }
    });
    const [[left]] = (await pool.query('SELECT stock FROM m_offers WHERE id = ?', [offer])) as any;
    return { race, left: Number(left.stock) };
  };

  // One of each to warm up, then the measured pair.
  await flashRace();
  await rowLockRace();
  const flash = await flashRace();
  const rowLock = await rowLockRace();
  redis.disconnect();
  await pool.end();
  return { flash: flash.race, rowLock: rowLock.race, heldFlash: flash.held, rowLeft: rowLock.left };
}
