import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unit procurement: organizations' canteens, departments and paired villages; yearly quotas; employees linked
 * to their employer; procurement orders with their lines and audit trail; fairs and their stall sales. In the
 * order core: the buyer's employer on each order, and order lines a household sold at its own stall.
 */
export class Procurement1796303550450 implements MigrationInterface {
  name = 'Procurement1796303550450';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE \`procurement_quotas\` ( \`organization_id\` char(26) NOT NULL, \`year\` smallint NOT NULL, \`amount_fen\` bigint NOT NULL, \`canteen_base_fen\` bigint NULL, \`share_bps\` int NULL, \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), PRIMARY KEY (\`organization_id\`, \`year\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `CREATE TABLE \`organization_employees\` ( \`user_id\` char(26) NOT NULL, \`organization_id\` char(26) NOT NULL, \`status\` varchar(12) NOT NULL, \`requested_at\` datetime(3) NOT NULL, \`confirmed_at\` datetime(3) NULL, \`confirmed_by\` char(26) NULL, INDEX \`ix_organization_employees_org\` (\`organization_id\`, \`status\`), PRIMARY KEY (\`user_id\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `CREATE TABLE \`procurement_orders\` ( \`id\` char(26) NOT NULL, \`organization_id\` char(26) NOT NULL, \`status\` varchar(12) NOT NULL, \`delivery_address\` varchar(255) NOT NULL, \`ordered_fen\` bigint NOT NULL, \`accepted_fen\` bigint NOT NULL DEFAULT '0', \`created_by\` char(26) NOT NULL, \`submitted_by\` char(26) NULL, \`submitted_date\` date NULL, \`decided_by\` char(26) NULL, \`reject_reason\` varchar(255) NULL, \`accepted_date\` date NULL, \`invoice_no\` varchar(64) NULL, \`invoice_fen\` bigint NULL, \`due_date\` date NULL, \`paid_at\` datetime(3) NULL, \`payment_ref\` varchar(64) NULL, \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), INDEX \`ix_procurement_orders_due\` (\`status\`, \`due_date\`), INDEX \`ix_procurement_orders_submitted\` (\`submitted_date\`, \`organization_id\`), INDEX \`ix_procurement_orders_accepted\` (\`accepted_date\`, \`organization_id\`), INDEX \`ix_procurement_orders_org\` (\`organization_id\`, \`status\`, \`accepted_date\`, \`accepted_fen\`, \`submitted_date\`, \`ordered_fen\`), PRIMARY KEY (\`id\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `CREATE TABLE \`procurement_lines\` ( \`id\` char(26) NOT NULL, \`order_id\` char(26) NOT NULL, \`line_no\` int NOT NULL, \`product_id\` char(26) NOT NULL, \`product_name\` varchar(128) NOT NULL, \`category\` varchar(64) NOT NULL, \`supplier_id\` char(26) NOT NULL, \`quantity\` int NOT NULL, \`unit_price_fen\` bigint NOT NULL, \`amount_fen\` bigint NOT NULL, \`received_quantity\` int NULL, \`confirmed_at\` datetime(3) NULL, \`shipped_at\` datetime(3) NULL, INDEX \`ix_procurement_lines_supplier\` (\`supplier_id\`, \`order_id\`), UNIQUE INDEX \`uq_procurement_lines_order_no\` (\`order_id\`, \`line_no\`), PRIMARY KEY (\`id\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `CREATE TABLE \`procurement_events\` ( \`id\` char(26) NOT NULL, \`order_id\` char(26) NOT NULL, \`at\` datetime(3) NOT NULL, \`user_id\` char(26) NULL, \`action\` varchar(24) NOT NULL, \`detail\` varchar(500) NULL, INDEX \`ix_procurement_events_order\` (\`order_id\`, \`at\`), PRIMARY KEY (\`id\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `CREATE TABLE \`fairs\` ( \`id\` char(26) NOT NULL, \`name\` varchar(128) NOT NULL, \`village_code\` varchar(32) NOT NULL, \`date\` date NOT NULL, \`organization_id\` char(26) NULL, \`created_by\` char(26) NOT NULL, \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), INDEX \`ix_fairs_date\` (\`date\`), PRIMARY KEY (\`id\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `CREATE TABLE \`fair_sales\` ( \`id\` char(26) NOT NULL, \`fair_id\` char(26) NOT NULL, \`household_id\` char(26) NOT NULL, \`product_id\` char(26) NULL, \`description\` varchar(128) NOT NULL, \`quantity\` int NOT NULL, \`amount_fen\` bigint NOT NULL, \`buyer_organization_id\` char(26) NULL, \`sale_date\` date NOT NULL, \`order_id\` char(26) NOT NULL, \`recorded_by\` char(26) NOT NULL, \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), INDEX \`ix_fair_sales_buyer\` (\`buyer_organization_id\`, \`sale_date\`), INDEX \`ix_fair_sales_fair\` (\`fair_id\`), PRIMARY KEY (\`id\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `CREATE TABLE \`organization_villages\` ( \`organization_id\` char(26) NOT NULL, \`village_code\` varchar(32) NOT NULL, INDEX \`ix_organization_villages_village\` (\`village_code\`), PRIMARY KEY (\`organization_id\`, \`village_code\`) ) ENGINE = InnoDB`,
    );
    await q.query(
      `ALTER TABLE \`organizations\` ADD \`has_canteen\` tinyint NOT NULL DEFAULT 0, ADD \`department\` varchar(64) NULL`,
    );
    await q.query(`ALTER TABLE \`orders\` ADD \`employer_id\` char(26) NULL`);
    await q.query(
      `CREATE INDEX \`ix_orders_employer\` ON \`orders\` (\`employer_id\`, \`paid_date\`, \`status\`, \`total_fen\`, \`refunded_fen\`)`,
    );
    await q.query(
      `ALTER TABLE \`order_lines\` ADD \`household_id\` char(26) NULL, MODIFY \`product_id\` char(26) NULL, MODIFY \`lot_id\` char(26) NULL, MODIFY \`supplier_id\` char(26) NULL`,
    );
    // References, as every module's tables have (a fair sale's order is written after it, so it has none).
    await q.query(
      'ALTER TABLE `organization_villages` ADD CONSTRAINT `fk_organization_villages_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`)',
    );
    await q.query(
      'ALTER TABLE `organization_villages` ADD CONSTRAINT `fk_organization_villages_village_code` FOREIGN KEY (`village_code`) REFERENCES `regions`(`code`)',
    );
    await q.query(
      'ALTER TABLE `procurement_quotas` ADD CONSTRAINT `fk_procurement_quotas_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`)',
    );
    await q.query(
      'ALTER TABLE `organization_employees` ADD CONSTRAINT `fk_organization_employees_user_id` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`)',
    );
    await q.query(
      'ALTER TABLE `organization_employees` ADD CONSTRAINT `fk_organization_employees_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`)',
    );
    await q.query(
      'ALTER TABLE `procurement_orders` ADD CONSTRAINT `fk_procurement_orders_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`)',
    );
    await q.query(
      'ALTER TABLE `procurement_orders` ADD CONSTRAINT `fk_procurement_orders_created_by` FOREIGN KEY (`created_by`) REFERENCES `users`(`id`)',
    );
    await q.query(
      'ALTER TABLE `procurement_lines` ADD CONSTRAINT `fk_procurement_lines_order_id` FOREIGN KEY (`order_id`) REFERENCES `procurement_orders`(`id`)',
    );
    await q.query(
      'ALTER TABLE `procurement_lines` ADD CONSTRAINT `fk_procurement_lines_product_id` FOREIGN KEY (`product_id`) REFERENCES `products`(`id`)',
    );
    await q.query(
      'ALTER TABLE `procurement_lines` ADD CONSTRAINT `fk_procurement_lines_supplier_id` FOREIGN KEY (`supplier_id`) REFERENCES `suppliers`(`id`)',
    );
    await q.query(
      'ALTER TABLE `procurement_events` ADD CONSTRAINT `fk_procurement_events_order_id` FOREIGN KEY (`order_id`) REFERENCES `procurement_orders`(`id`)',
    );
    await q.query(
      'ALTER TABLE `procurement_events` ADD CONSTRAINT `fk_procurement_events_user_id` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`)',
    );
    await q.query(
      'ALTER TABLE `fairs` ADD CONSTRAINT `fk_fairs_village_code` FOREIGN KEY (`village_code`) REFERENCES `regions`(`code`)',
    );
    await q.query(
      'ALTER TABLE `fairs` ADD CONSTRAINT `fk_fairs_organization_id` FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`)',
    );
    await q.query(
      'ALTER TABLE `fair_sales` ADD CONSTRAINT `fk_fair_sales_fair_id` FOREIGN KEY (`fair_id`) REFERENCES `fairs`(`id`)',
    );
    await q.query(
      'ALTER TABLE `fair_sales` ADD CONSTRAINT `fk_fair_sales_household_id` FOREIGN KEY (`household_id`) REFERENCES `households`(`id`)',
    );
    await q.query(
      'ALTER TABLE `fair_sales` ADD CONSTRAINT `fk_fair_sales_product_id` FOREIGN KEY (`product_id`) REFERENCES `products`(`id`)',
    );
    await q.query(
      'ALTER TABLE `fair_sales` ADD CONSTRAINT `fk_fair_sales_buyer_organization_id` FOREIGN KEY (`buyer_organization_id`) REFERENCES `organizations`(`id`)',
    );
    await q.query(
      'ALTER TABLE `order_lines` ADD CONSTRAINT `fk_order_lines_household_id` FOREIGN KEY (`household_id`) REFERENCES `households`(`id`)',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `order_lines` DROP FOREIGN KEY `fk_order_lines_household_id`');
    await q.query(`ALTER TABLE \`order_lines\` DROP COLUMN \`household_id\``);
    await q.query(`DROP INDEX \`ix_orders_employer\` ON \`orders\``);
    await q.query(`ALTER TABLE \`orders\` DROP COLUMN \`employer_id\``);
    await q.query(`ALTER TABLE \`organizations\` DROP COLUMN \`has_canteen\`, DROP COLUMN \`department\``);
    await q.query(`DROP TABLE \`organization_villages\``);
    await q.query(`DROP TABLE \`fair_sales\``);
    await q.query(`DROP TABLE \`fairs\``);
    await q.query(`DROP TABLE \`procurement_events\``);
    await q.query(`DROP TABLE \`procurement_lines\``);
    await q.query(`DROP TABLE \`procurement_orders\``);
    await q.query(`DROP TABLE \`organization_employees\``);
    await q.query(`DROP TABLE \`procurement_quotas\``);
  }
}
