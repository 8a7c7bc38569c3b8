import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders of channels that do not take payment before a deadline (charged after use through an agreement,
 * or invoiced after acceptance) have no `pay_by`.
 */
export class OrderPolicies1795950000000 implements MigrationInterface {
  name = 'OrderPolicies1795950000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `orders` MODIFY `pay_by` datetime(3) NULL');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('UPDATE `orders` SET `pay_by` = `created_at` WHERE `pay_by` IS NULL');
    await queryRunner.query('ALTER TABLE `orders` MODIFY `pay_by` datetime(3) NOT NULL');
  }
}
