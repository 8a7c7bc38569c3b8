import { MigrationInterface, QueryRunner } from 'typeorm';

/** Livestream sessions, offers carved from lots, their numbered units, attributed orders and platform imports. */
export class Livestream1795980000000 implements MigrationInterface {
  name = 'Livestream1795980000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`live_sessions\` (
                \`id\` char(26) NOT NULL,
                \`host_id\` char(26) NOT NULL,
                \`title\` varchar(128) NOT NULL,
                \`platform\` varchar(24) NOT NULL,
                \`status\` varchar(16) NOT NULL,
                \`scheduled_at\` datetime(3) NOT NULL,
                \`started_at\` datetime(3) NULL,
                \`ended_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_live_sessions_host\` (\`host_id\`, \`scheduled_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_offers\` (
                \`id\` char(26) NOT NULL,
                \`session_id\` char(26) NOT NULL,
                \`product_id\` char(26) NOT NULL,
                \`live_price_fen\` bigint NOT NULL,
                \`stock\` int NOT NULL,
                \`per_buyer_limit\` int NULL,
                \`merchant_code\` varchar(64) NULL,
                \`platform_product_id\` varchar(64) NULL,
                \`on_sale\` tinyint UNSIGNED NOT NULL DEFAULT '0',
                \`returned\` int NOT NULL DEFAULT '0',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_live_offers_session\` (\`session_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_offer_lots\` (
                \`offer_id\` char(26) NOT NULL,
                \`first_unit\` int NOT NULL,
                \`lot_id\` char(26) NOT NULL,
                \`units\` int NOT NULL,
                PRIMARY KEY (\`offer_id\`, \`first_unit\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_offer_units\` (
                \`offer_id\` char(26) NOT NULL,
                \`unit_no\` int UNSIGNED NOT NULL,
                \`order_id\` char(26) NOT NULL,
                INDEX \`ix_live_offer_units_order\` (\`order_id\`),
                PRIMARY KEY (\`offer_id\`, \`unit_no\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_offer_buyers\` (
                \`offer_id\` char(26) NOT NULL,
                \`buyer_user_id\` char(26) NOT NULL,
                \`units_left\` int UNSIGNED NOT NULL,
                PRIMARY KEY (\`offer_id\`, \`buyer_user_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_orders\` (
                \`order_id\` char(26) NOT NULL,
                \`session_id\` char(26) NOT NULL,
                \`offer_id\` char(26) NOT NULL,
                \`buyer_user_id\` char(26) NOT NULL,
                \`units\` int NOT NULL,
                \`external\` tinyint UNSIGNED NOT NULL DEFAULT '0',
                INDEX \`ix_live_orders_session\` (\`session_id\`),
                PRIMARY KEY (\`order_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_imports\` (
                \`id\` char(26) NOT NULL,
                \`session_id\` char(26) NOT NULL,
                \`platform\` varchar(24) NOT NULL,
                \`shop_id\` varchar(64) NOT NULL DEFAULT '',
                \`status\` varchar(8) NOT NULL,
                \`rows_total\` int NULL,
                \`rows_done\` int NOT NULL DEFAULT '0',
                \`rows_accepted\` int NOT NULL DEFAULT '0',
                \`rows_refunded\` int NOT NULL DEFAULT '0',
                \`rows_repeated\` int NOT NULL DEFAULT '0',
                \`created_by\` char(26) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_import_chunks\` (
                \`import_id\` char(26) NOT NULL,
                \`chunk_no\` int NOT NULL,
                \`data\` mediumblob NOT NULL,
                PRIMARY KEY (\`import_id\`, \`chunk_no\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_import_refusals\` (
                \`import_id\` char(26) NOT NULL,
                \`row_no\` int NOT NULL,
                \`reason\` varchar(255) NOT NULL,
                PRIMARY KEY (\`import_id\`, \`row_no\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_external_sales\` (
                \`platform\` varchar(24) NOT NULL,
                \`shop_id\` varchar(64) NOT NULL,
                \`sub_order_id\` varchar(40) NOT NULL,
                \`order_id\` varchar(40) NOT NULL,
                \`sale_order_id\` char(26) NOT NULL,
                \`session_id\` char(26) NOT NULL,
                \`refunded\` tinyint UNSIGNED NOT NULL DEFAULT '0',
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_live_external_sales_sale\` (\`sale_order_id\`),
                PRIMARY KEY (\`platform\`, \`shop_id\`, \`sub_order_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(
      'ALTER TABLE `live_sessions` ADD CONSTRAINT `fk_live_sessions_host` FOREIGN KEY (`host_id`) REFERENCES `live_hosts`(`id`)',
    );
    await queryRunner.query(
      'ALTER TABLE `live_offers` ADD CONSTRAINT `fk_live_offers_session` FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`)',
    );
    await queryRunner.query(
      'ALTER TABLE `live_offers` ADD CONSTRAINT `fk_live_offers_product` FOREIGN KEY (`product_id`) REFERENCES `products`(`id`)',
    );
    await queryRunner.query(
      'ALTER TABLE `live_offer_lots` ADD CONSTRAINT `fk_live_offer_lots_offer` FOREIGN KEY (`offer_id`) REFERENCES `live_offers`(`id`)',
    );
    await queryRunner.query(
      'ALTER TABLE `live_offer_lots` ADD CONSTRAINT `fk_live_offer_lots_lot` FOREIGN KEY (`lot_id`) REFERENCES `supply_lots`(`id`)',
    );
    await queryRunner.query(
      'ALTER TABLE `live_imports` ADD CONSTRAINT `fk_live_imports_session` FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `live_imports` DROP FOREIGN KEY `fk_live_imports_session`');
    await queryRunner.query('ALTER TABLE `live_offer_lots` DROP FOREIGN KEY `fk_live_offer_lots_lot`');
    await queryRunner.query('ALTER TABLE `live_offer_lots` DROP FOREIGN KEY `fk_live_offer_lots_offer`');
    await queryRunner.query('ALTER TABLE `live_offers` DROP FOREIGN KEY `fk_live_offers_product`');
    await queryRunner.query('ALTER TABLE `live_offers` DROP FOREIGN KEY `fk_live_offers_session`');
    await queryRunner.query('ALTER TABLE `live_sessions` DROP FOREIGN KEY `fk_live_sessions_host`');
    await queryRunner.query('DROP TABLE `live_external_sales`');
    await queryRunner.query('DROP TABLE `live_import_refusals`');
    await queryRunner.query('DROP TABLE `live_import_chunks`');
    await queryRunner.query('DROP TABLE `live_imports`');
    await queryRunner.query('DROP TABLE `live_orders`');
    await queryRunner.query('DROP TABLE `live_offer_buyers`');
    await queryRunner.query('DROP TABLE `live_offer_units`');
    await queryRunner.query('DROP TABLE `live_offer_lots`');
    await queryRunner.query('DROP TABLE `live_offers`');
    await queryRunner.query('DROP TABLE `live_sessions`');
  }
}
