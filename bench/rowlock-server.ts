// The comparison for the livestream benchmark: the plain way to sell limited stock, a MySQL row lock.
// `UPDATE … SET stock = stock - 1 WHERE stock > 0` inside the order transaction, then the order and its line,
// then COMMIT; on the same NestJS/Fastify stack as the bare route, without auth, validation or logging, so
// the multiple it is compared by is a conservative one.
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, HttpException, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPool, ResultSetHeader } from 'mysql2/promise';
import { ulid } from 'ulid';

const pool = createPool({ uri: process.env.ROWLOCK_DATABASE_URL!, connectionLimit: 20 });

@Controller()
class RowLockController {
  @Get('ready')
  ready(): { ok: true } {
    return { ok: true };
  }

  @Post('rowlock/:offerId/orders')
  @HttpCode(201)
  async order(
    @Param('offerId') offerId: string,
    @Body() body: { buyer: string },
  ): Promise<{ orderId: string }> {
    const conn = await pool.getConnection();
    try {
      await conn.query('START TRANSACTION');
      const [taken] = await conn.query<ResultSetHeader>(
        'UPDATE rowlock_offers SET stock = stock - 1 WHERE id = ? AND stock > 0',
        [offerId],
      );
      if (taken.affectedRows !== 1) {
        await conn.query('ROLLBACK');
        throw new HttpException({ code: 'sold-out' }, 409);
      }
      const orderId = ulid();
      await conn.query(
        'INSERT INTO rowlock_orders (id, offer_id, buyer, total_fen, created_at) VALUES (?, ?, ?, 3990, NOW(3))',
        [orderId, offerId, body.buyer],
      );
      await conn.query(
        'INSERT INTO rowlock_lines (order_id, line_no, offer_id, quantity, amount_fen) VALUES (?, 1, ?, 1, 3990)',
        [orderId, offerId],
      );
      await conn.query('COMMIT');
      return { orderId };
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      conn.release();
    }
  }
}

@Module({ controllers: [RowLockController] })
class RowLockModule {}

/** The tables of the comparison, in a database of their own. */
export async function prepare(): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS rowlock_offers (id char(26) PRIMARY KEY, stock int NOT NULL)`);
  await pool.query(`CREATE TABLE IF NOT EXISTS rowlock_orders (id char(26) PRIMARY KEY, offer_id char(26) NOT NULL,
    buyer varchar(40) NOT NULL, total_fen bigint NOT NULL, created_at datetime(3) NOT NULL)`);
  await pool.query(`CREATE TABLE IF NOT EXISTS rowlock_lines (order_id char(26) NOT NULL, line_no int NOT NULL,
    offer_id char(26) NOT NULL, quantity int NOT NULL, amount_fen bigint NOT NULL, PRIMARY KEY (order_id, line_no))`);
}

async function main(): Promise<void> {
  await prepare();
  const app = await NestFactory.create<NestFastifyApplication>(RowLockModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => pool.end().then(() => process.exit(0))));
}

void main();
