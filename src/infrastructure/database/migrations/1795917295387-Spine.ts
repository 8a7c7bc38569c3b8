import { MigrationInterface, QueryRunner } from 'typeorm';

/** Orders, payments, the outbox, the sandbox gateway's book and the double-entry ledger. */
export class Spine1795917295387 implements MigrationInterface {
  name = 'Spine1795917295387';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`outbox\` (
                \`id\` char(26) NOT NULL,
                \`job_name\` varchar(64) NOT NULL,
                \`payload\` json NOT NULL,
                \`run_at\` datetime(3) NULL,
                \`dispatched_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_outbox_pending\` (\`dispatched_at\`, \`id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`sandbox_transactions\` (
                \`ref\` varchar(64) NOT NULL,
                \`merchant_ref\` varchar(64) NOT NULL,
                \`kind\` varchar(12) NOT NULL,
                \`status\` varchar(12) NOT NULL,
                \`amount_fen\` bigint NOT NULL,
                \`parent_ref\` varchar(64) NULL,
                \`settled_date\` date NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_sandbox_merchant_ref\` (\`merchant_ref\`),
                INDEX \`ix_sandbox_settled_date\` (\`settled_date\`),
                PRIMARY KEY (\`ref\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`orders\` (
                \`id\` char(26) NOT NULL,
                \`buyer_user_id\` char(26) NOT NULL,
                \`channel\` varchar(16) NOT NULL,
                \`status\` varchar(20) NOT NULL,
                \`total_fen\` bigint NOT NULL,
                \`refunded_fen\` bigint NOT NULL DEFAULT '0',
                \`pay_by\` datetime(3) NOT NULL,
                \`paid_at\` datetime(3) NULL,
                \`paid_date\` date NULL,
                \`attribution\` json NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_orders_buyer\` (\`buyer_user_id\`),
                INDEX \`ix_orders_paid_date\` (\`paid_date\`, \`channel\`),
                INDEX \`ix_orders_status_pay_by\` (\`status\`, \`pay_by\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`order_lines\` (
                \`id\` char(26) NOT NULL,
                \`order_id\` char(26) NOT NULL,
                \`line_no\` int NOT NULL,
                \`product_id\` char(26) NOT NULL,
                \`lot_id\` char(26) NOT NULL,
                \`supplier_id\` char(26) NOT NULL,
                \`quantity\` int NOT NULL,
                \`unit_price_fen\` bigint NOT NULL,
                \`amount_fen\` bigint NOT NULL,
                \`refunded_fen\` bigint NOT NULL DEFAULT '0',
                INDEX \`ix_order_lines_lot\` (\`lot_id\`),
                UNIQUE INDEX \`uq_order_lines_order_no\` (\`order_id\`, \`line_no\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`payments\` (
                \`id\` char(26) NOT NULL,
                \`order_id\` char(26) NOT NULL,
                \`provider\` varchar(32) NOT NULL,
                \`provider_ref\` varchar(64) NULL,
                \`status\` varchar(16) NOT NULL,
                \`amount_fen\` bigint NOT NULL,
                \`failure_reason\` varchar(255) NULL,
                \`captured_at\` datetime(3) NULL,
                \`captured_date\` date NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_payments_order\` (\`order_id\`),
                INDEX \`ix_payments_captured_date\` (\`captured_date\`),
                INDEX \`ix_payments_status_created\` (\`status\`, \`created_at\`),
                UNIQUE INDEX \`uq_payments_provider_ref\` (\`provider\`, \`provider_ref\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`payment_agreements\` (
                \`id\` char(26) NOT NULL,
                \`user_id\` char(26) NOT NULL,
                \`provider\` varchar(32) NOT NULL,
                \`agreement_ref\` varchar(64) NOT NULL,
                \`status\` varchar(12) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_agreements_user_provider\` (\`user_id\`, \`provider\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`refunds\` (
                \`id\` char(26) NOT NULL,
                \`order_id\` char(26) NOT NULL,
                \`payment_id\` char(26) NOT NULL,
                \`amount_fen\` bigint NOT NULL,
                \`reason\` varchar(255) NOT NULL,
                \`provider_ref\` varchar(64) NULL,
                \`line_amounts\` json NOT NULL,
                \`refund_date\` date NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_refunds_order\` (\`order_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`harvests\` (
                \`id\` char(26) NOT NULL,
                \`supplier_id\` char(26) NOT NULL,
                \`household_id\` char(26) NOT NULL,
                \`linkage_id\` char(26) NOT NULL,
                \`season\` char(4) NOT NULL,
                \`picked_on\` date NOT NULL,
                \`weight_grams\` int NOT NULL,
                \`fee_fen\` bigint NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_harvests_supplier_season\` (\`supplier_id\`, \`season\`, \`household_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`journal_entries\` (
                \`id\` char(26) NOT NULL,
                \`idempotency_key\` varchar(120) NOT NULL,
                \`kind\` varchar(24) NOT NULL,
                \`order_id\` char(26) NULL,
                \`order_line_id\` char(26) NULL,
                \`channel\` varchar(16) NULL,
                \`business_date\` date NOT NULL,
                \`memo\` varchar(255) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_entries_idempotency_key\` (\`idempotency_key\`),
                INDEX \`ix_entries_order\` (\`order_id\`),
                INDEX \`ix_entries_order_line\` (\`order_line_id\`),
                INDEX \`ix_entries_date_kind\` (\`business_date\`, \`kind\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`ledger_accounts\` (
                \`id\` bigint NOT NULL AUTO_INCREMENT,
                \`type\` varchar(24) NOT NULL,
                \`owner_id\` varchar(64) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_ledger_accounts_owner\` (\`type\`, \`owner_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`payout_batches\` (
                \`id\` char(26) NOT NULL,
                \`status\` varchar(12) NOT NULL,
                \`minimum_fen\` bigint NOT NULL,
                \`total_fen\` bigint NOT NULL,
                \`line_count\` int NOT NULL,
                \`bank_reference\` varchar(64) NULL,
                \`paid_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`payout_lines\` (
                \`id\` char(26) NOT NULL,
                \`batch_id\` char(26) NOT NULL,
                \`household_id\` char(26) NOT NULL,
                \`amount_fen\` bigint NOT NULL,
                INDEX \`ix_payout_lines_household\` (\`household_id\`),
                UNIQUE INDEX \`uq_payout_lines_batch_household\` (\`batch_id\`, \`household_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`postings\` (
                \`id\` bigint NOT NULL AUTO_INCREMENT,
                \`entry_id\` char(26) NOT NULL,
                \`account_id\` bigint NOT NULL,
                \`amount_fen\` bigint NOT NULL,
                \`source\` varchar(20) NOT NULL,
                \`channel\` varchar(16) NULL,
                \`available_on\` date NULL,
                \`business_date\` date NOT NULL,
                \`lot_id\` char(26) NULL,
                \`supplier_id\` char(26) NULL,
                \`base_fen\` bigint NULL,
                \`rate_bps\` int NULL,
                INDEX \`ix_postings_entry\` (\`entry_id\`),
                INDEX \`ix_postings_lot\` (\`lot_id\`),
                INDEX \`ix_postings_account_date\` (\`account_id\`, \`business_date\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`reconciliations\` (
                \`business_date\` date NOT NULL,
                \`status\` varchar(16) NOT NULL,
                \`payments_fen\` bigint NOT NULL DEFAULT '0',
                \`paid_orders_fen\` bigint NOT NULL DEFAULT '0',
                \`posted_fen\` bigint NOT NULL DEFAULT '0',
                \`by_channel\` json NULL,
                \`discrepancies\` json NULL,
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`business_date\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`season_closes\` (
                \`id\` char(26) NOT NULL,
                \`supplier_id\` char(26) NOT NULL,
                \`season\` char(4) NOT NULL,
                \`results\` json NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_season_close\` (\`supplier_id\`, \`season\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    // Foreign keys, written by hand: TypeORM generates none without relations. order_lines has none to
    // supply_lots or products on purpose: checking one takes a shared lock on the lot row, which then
    // deadlocks with the stock decrement of a concurrent order for the same lot.
    await queryRunner.query(
      `ALTER TABLE \`orders\` ADD CONSTRAINT \`fk_orders_buyer_user_id\` FOREIGN KEY (\`buyer_user_id\`) REFERENCES \`users\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`order_lines\` ADD CONSTRAINT \`fk_order_lines_order_id\` FOREIGN KEY (\`order_id\`) REFERENCES \`orders\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`payments\` ADD CONSTRAINT \`fk_payments_order_id\` FOREIGN KEY (\`order_id\`) REFERENCES \`orders\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`refunds\` ADD CONSTRAINT \`fk_refunds_order_id\` FOREIGN KEY (\`order_id\`) REFERENCES \`orders\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`refunds\` ADD CONSTRAINT \`fk_refunds_payment_id\` FOREIGN KEY (\`payment_id\`) REFERENCES \`payments\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`postings\` ADD CONSTRAINT \`fk_postings_entry_id\` FOREIGN KEY (\`entry_id\`) REFERENCES \`journal_entries\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`postings\` ADD CONSTRAINT \`fk_postings_account_id\` FOREIGN KEY (\`account_id\`) REFERENCES \`ledger_accounts\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`payout_lines\` ADD CONSTRAINT \`fk_payout_lines_batch_id\` FOREIGN KEY (\`batch_id\`) REFERENCES \`payout_batches\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`payout_lines\` ADD CONSTRAINT \`fk_payout_lines_household_id\` FOREIGN KEY (\`household_id\`) REFERENCES \`households\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`harvests\` ADD CONSTRAINT \`fk_harvests_supplier_id\` FOREIGN KEY (\`supplier_id\`) REFERENCES \`suppliers\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`harvests\` ADD CONSTRAINT \`fk_harvests_household_id\` FOREIGN KEY (\`household_id\`) REFERENCES \`households\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`payment_agreements\` ADD CONSTRAINT \`fk_payment_agreements_user_id\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`season_closes\` ADD CONSTRAINT \`fk_season_closes_supplier_id\` FOREIGN KEY (\`supplier_id\`) REFERENCES \`suppliers\` (\`id\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`orders\` DROP FOREIGN KEY \`fk_orders_buyer_user_id\``);
    await queryRunner.query(`ALTER TABLE \`order_lines\` DROP FOREIGN KEY \`fk_order_lines_order_id\``);
    await queryRunner.query(`ALTER TABLE \`payments\` DROP FOREIGN KEY \`fk_payments_order_id\``);
    await queryRunner.query(`ALTER TABLE \`refunds\` DROP FOREIGN KEY \`fk_refunds_order_id\``);
    await queryRunner.query(`ALTER TABLE \`refunds\` DROP FOREIGN KEY \`fk_refunds_payment_id\``);
    await queryRunner.query(`ALTER TABLE \`postings\` DROP FOREIGN KEY \`fk_postings_entry_id\``);
    await queryRunner.query(`ALTER TABLE \`postings\` DROP FOREIGN KEY \`fk_postings_account_id\``);
    await queryRunner.query(`ALTER TABLE \`payout_lines\` DROP FOREIGN KEY \`fk_payout_lines_batch_id\``);
    await queryRunner.query(`ALTER TABLE \`payout_lines\` DROP FOREIGN KEY \`fk_payout_lines_household_id\``);
    await queryRunner.query(`ALTER TABLE \`harvests\` DROP FOREIGN KEY \`fk_harvests_supplier_id\``);
    await queryRunner.query(`ALTER TABLE \`harvests\` DROP FOREIGN KEY \`fk_harvests_household_id\``);
    await queryRunner.query(
      `ALTER TABLE \`payment_agreements\` DROP FOREIGN KEY \`fk_payment_agreements_user_id\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`season_closes\` DROP FOREIGN KEY \`fk_season_closes_supplier_id\``,
    );
    await queryRunner.query(`DROP TABLE \`season_closes\``);
    await queryRunner.query(`DROP TABLE \`reconciliations\``);
    await queryRunner.query(`DROP TABLE \`postings\``);
    await queryRunner.query(`DROP TABLE \`payout_lines\``);
    await queryRunner.query(`DROP TABLE \`payout_batches\``);
    await queryRunner.query(`DROP TABLE \`ledger_accounts\``);
    await queryRunner.query(`DROP TABLE \`journal_entries\``);
    await queryRunner.query(`DROP TABLE \`harvests\``);
    await queryRunner.query(`DROP TABLE \`refunds\``);
    await queryRunner.query(`DROP TABLE \`payment_agreements\``);
    await queryRunner.query(`DROP TABLE \`payments\``);
    await queryRunner.query(`DROP TABLE \`order_lines\``);
    await queryRunner.query(`DROP TABLE \`orders\``);
    await queryRunner.query(`DROP TABLE \`sandbox_transactions\``);
    await queryRunner.query(`DROP TABLE \`outbox\``);
  }
}
