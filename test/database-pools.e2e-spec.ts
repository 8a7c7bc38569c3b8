import { BatchPool } from '@/infrastructure/database/batch-pool';
import { runStatements, withBatchTransaction } from '@/infrastructure/database/transaction';
import { startTestApp, TestApp } from './support/test-app';

describe('database pools: batches on a pool of their own', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pools');
  });
  afterAll(() => t.close());

  it("the service's pool takes one statement per query: a second statement pasted in is refused", async () => {
    await expect(t.db.query('SELECT 1 AS a; SELECT 2 AS b')).rejects.toMatchObject({
      driverError: { code: 'ER_PARSE_ERROR' },
    });
  });

  it('the batch pool sends several statements in one round trip and answers one result per statement', async () => {
    const batch = t.app.get(BatchPool);
    const [a, b] = (await runStatements(batch, [
      ['SELECT ? AS a', [1]],
      ['SELECT ? AS b', ['two']],
    ])) as {
      a?: number;
      b?: string;
    }[][];
    expect(a).toEqual([{ a: 1 }]);
    expect(b).toEqual([{ b: 'two' }]);
  });

  it('statements for a TypeORM manager run one after the other, with the same results', async () => {
    const results = (await runStatements(t.db.manager, [
      ['SELECT ? AS a', [1]],
      ['SELECT ? AS b', ['two']],
    ])) as unknown[][];
    expect(results).toEqual([[{ a: 1 }], [{ b: 'two' }]]);
  });

  it('a batched transaction that fails before COMMIT leaves nothing, and its connection is clean for the next', async () => {
    const batch = t.app.get(BatchPool);
    await t.db.query('CREATE TABLE pool_probe (id INT PRIMARY KEY, n INT UNSIGNED NOT NULL)');
    await t.db.query('INSERT INTO pool_probe VALUES (1, 0)');
    await expect(
      withBatchTransaction(batch, (tx) =>
        tx.commit([
          ['INSERT INTO pool_probe VALUES (?, ?)', [2, 5]],
          ['UPDATE pool_probe SET n = n - 1 WHERE id = ?', [1]],
        ]),
      ),
    ).rejects.toMatchObject({ code: 'ER_DATA_OUT_OF_RANGE' });
    expect(await t.db.query('SELECT id, n FROM pool_probe ORDER BY id')).toEqual([{ id: 1, n: 0 }]);
    // Every connection of the pool is outside a transaction again: a plain write commits on its own.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runStatements(batch, [['INSERT INTO pool_probe VALUES (?, 0)', [10 + i]]]),
      ),
    );
    expect(await t.db.query('SELECT COUNT(*) AS n FROM pool_probe')).toEqual([{ n: '9' }]);
  });
});
