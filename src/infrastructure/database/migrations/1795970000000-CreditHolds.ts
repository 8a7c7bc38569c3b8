import { MigrationInterface, QueryRunner } from 'typeorm';

/** Orders whose household credits are held while their sale is disputed. */
export class CreditHolds1795970000000 implements MigrationInterface {
  name = 'CreditHolds1795970000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`credit_holds\` (
                \`order_id\` char(26) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`order_id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `credit_holds`');
  }
}
