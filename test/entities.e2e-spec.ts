import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@/infrastructure/database/data-source-options';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Each module registers its own entities (`TypeOrmModule.forFeature`, `autoLoadEntities`); the CLI data source
 * that generates the migrations finds every entity file by itself. Both must see every table, and only those.
 */
describe('entities: registered by their modules, found by the migrations', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('entities');
  });
  afterAll(() => t.close());

  const tables = (ds: DataSource) => ds.entityMetadatas.map((m) => m.tableName).sort();

  it('the app knows an entity for every migrated table, each registered by the module that owns it', async () => {
    const rows = (await t.db.query(
      `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> 'migrations'`,
    )) as { t: string }[];
    const migrated = rows.map((r) => r.t).sort();
    expect(migrated).toHaveLength(51);
    expect(tables(t.db)).toEqual(migrated);
  });

  it('the CLI data source (npm run migration:generate) finds the same entities', async () => {
    const cli = new DataSource(dataSourceOptions({ ...t.env, DATABASE_POOL_SIZE: 1 }));
    await cli.initialize();
    try {
      expect(tables(cli)).toEqual(tables(t.db));
    } finally {
      await cli.destroy();
    }
  });
});
