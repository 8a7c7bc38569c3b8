import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795915758569 implements MigrationInterface {
  name = 'Foundation1795915758569';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`idempotency_keys\` (
                \`id\` char(26) NOT NULL,
                \`scope\` varchar(40) NOT NULL,
                \`idem_key\` varchar(255) NOT NULL,
                \`request_hash\` char(64) NOT NULL,
                \`state\` varchar(12) NOT NULL,
                \`status_code\` int NULL,
                \`response_body\` mediumtext NULL,
                \`expires_at\` datetime(3) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_idempotency_expires\` (\`expires_at\`),
                UNIQUE INDEX \`uq_idempotency_scope_key\` (\`scope\`, \`idem_key\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`products\` (
                \`id\` char(26) NOT NULL,
                \`name\` varchar(128) NOT NULL,
                \`category\` varchar(32) NOT NULL,
                \`unit\` varchar(16) NOT NULL,
                \`price_fen\` bigint NOT NULL,
                \`supplier_id\` char(26) NOT NULL,
                \`origin_village_code\` varchar(32) NOT NULL,
                \`certificate_no\` varchar(64) NULL,
                \`certified_until\` date NULL,
                \`status\` varchar(16) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                INDEX \`ix_products_supplier\` (\`supplier_id\`),
                INDEX \`ix_products_category\` (\`category\`, \`id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`lot_sources\` (
                \`id\` char(26) NOT NULL,
                \`lot_id\` char(26) NOT NULL,
                \`household_id\` char(26) NOT NULL,
                \`quantity\` int NOT NULL,
                \`position\` int NOT NULL,
                INDEX \`ix_lot_sources_household\` (\`household_id\`),
                UNIQUE INDEX \`uq_lot_sources_lot_household\` (\`lot_id\`, \`household_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`supply_lots\` (
                \`id\` char(26) NOT NULL,
                \`product_id\` char(26) NOT NULL,
                \`quantity\` int NOT NULL,
                \`remaining\` int UNSIGNED NOT NULL,
                \`produced_at\` date NULL,
                \`expires_at\` date NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_lots_product_expiry\` (\`product_id\`, \`expires_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`households\` (
                \`id\` char(26) NOT NULL,
                \`registry_no\` varchar(64) NOT NULL,
                \`head_name\` varchar(64) NOT NULL,
                \`id_number_enc\` varchar(255) NOT NULL,
                \`id_number_hash\` char(64) NOT NULL,
                \`id_number_masked\` varchar(32) NOT NULL,
                \`phone_enc\` varchar(255) NULL,
                \`phone_masked\` varchar(32) NULL,
                \`bank_account_enc\` varchar(255) NULL,
                \`bank_account_masked\` varchar(64) NULL,
                \`members\` int NOT NULL,
                \`village_code\` varchar(32) NOT NULL,
                \`status\` varchar(16) NOT NULL,
                \`status_reason\` varchar(255) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_households_registry_no\` (\`registry_no\`),
                UNIQUE INDEX \`uq_households_id_number_hash\` (\`id_number_hash\`),
                INDEX \`ix_households_village_status\` (\`village_code\`, \`status\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`otp_codes\` (
                \`id\` char(26) NOT NULL,
                \`phone_hash\` char(64) NOT NULL,
                \`code_hash\` char(64) NOT NULL,
                \`expires_at\` datetime(3) NOT NULL,
                \`attempts\` int NOT NULL DEFAULT '0',
                \`consumed_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_otp_phone_created\` (\`phone_hash\`, \`created_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`users\` (
                \`id\` char(26) NOT NULL,
                \`username\` varchar(64) NOT NULL,
                \`password_hash\` varchar(100) NULL,
                \`roles\` text NOT NULL,
                \`phone_enc\` varchar(255) NULL,
                \`phone_hash\` char(64) NULL,
                \`organization_id\` char(26) NULL,
                \`host_id\` char(26) NULL,
                \`supplier_id\` char(26) NULL,
                \`region_code\` varchar(32) NULL,
                \`disabled\` tinyint NOT NULL DEFAULT 0,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_users_username\` (\`username\`),
                UNIQUE INDEX \`uq_users_phone_hash\` (\`phone_hash\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`live_hosts\` (
                \`id\` char(26) NOT NULL,
                \`name\` varchar(64) NOT NULL,
                \`kind\` varchar(24) NOT NULL,
                \`region_code\` varchar(32) NULL,
                \`user_id\` char(26) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`organizations\` (
                \`id\` char(26) NOT NULL,
                \`name\` varchar(128) NOT NULL,
                \`type\` varchar(24) NOT NULL,
                \`parent_id\` char(26) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`regions\` (
                \`code\` varchar(32) NOT NULL,
                \`name\` varchar(100) NOT NULL,
                \`level\` varchar(16) NOT NULL,
                \`parent_code\` varchar(32) NULL,
                \`path\` varchar(255) NOT NULL,
                \`poor_village\` tinyint NOT NULL DEFAULT 0,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_regions_parent\` (\`parent_code\`),
                INDEX \`ix_regions_path\` (\`path\`),
                PRIMARY KEY (\`code\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`benefit_linkages\` (
                \`id\` char(26) NOT NULL,
                \`supplier_id\` char(26) NOT NULL,
                \`household_id\` char(26) NULL,
                \`collective_village_code\` varchar(32) NULL,
                \`beneficiary_key\` varchar(40) NOT NULL,
                \`type\` varchar(16) NOT NULL,
                \`share_bps\` int NULL,
                \`plants\` int NULL,
                \`management_fee_fen_per_plant_year\` bigint NULL,
                \`picking_fee_fen_per_jin\` bigint NULL,
                \`dividend_tiers\` json NULL,
                \`invested_fen\` bigint NULL,
                \`annual_dividend_fen\` bigint NULL,
                \`annual_wage_fen\` bigint NULL,
                \`starts_on\` date NULL,
                \`active\` tinyint NOT NULL DEFAULT 1,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_linkages_supplier\` (\`supplier_id\`),
                INDEX \`ix_linkages_household\` (\`household_id\`),
                UNIQUE INDEX \`uq_linkage_beneficiary\` (\`supplier_id\`, \`beneficiary_key\`, \`type\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`suppliers\` (
                \`id\` char(26) NOT NULL,
                \`name\` varchar(128) NOT NULL,
                \`type\` varchar(16) NOT NULL,
                \`village_code\` varchar(32) NOT NULL,
                \`household_id\` char(26) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_suppliers_village\` (\`village_code\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`sms_messages\` (
                \`id\` char(26) NOT NULL,
                \`phone_hash\` char(64) NOT NULL,
                \`phone_enc\` varchar(255) NOT NULL,
                \`text\` varchar(500) NOT NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_sms_phone_created\` (\`phone_hash\`, \`created_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);

    // Foreign keys, written by hand: TypeORM generates none without relations.
    await queryRunner.query(
      `ALTER TABLE \`regions\` ADD CONSTRAINT \`fk_regions_parent_code\` FOREIGN KEY (\`parent_code\`) REFERENCES \`regions\` (\`code\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`households\` ADD CONSTRAINT \`fk_households_village_code\` FOREIGN KEY (\`village_code\`) REFERENCES \`regions\` (\`code\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`suppliers\` ADD CONSTRAINT \`fk_suppliers_village_code\` FOREIGN KEY (\`village_code\`) REFERENCES \`regions\` (\`code\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`suppliers\` ADD CONSTRAINT \`fk_suppliers_household_id\` FOREIGN KEY (\`household_id\`) REFERENCES \`households\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`benefit_linkages\` ADD CONSTRAINT \`fk_benefit_linkages_supplier_id\` FOREIGN KEY (\`supplier_id\`) REFERENCES \`suppliers\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`benefit_linkages\` ADD CONSTRAINT \`fk_benefit_linkages_household_id\` FOREIGN KEY (\`household_id\`) REFERENCES \`households\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`benefit_linkages\` ADD CONSTRAINT \`fk_benefit_linkages_collective_village_code\` FOREIGN KEY (\`collective_village_code\`) REFERENCES \`regions\` (\`code\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`products\` ADD CONSTRAINT \`fk_products_supplier_id\` FOREIGN KEY (\`supplier_id\`) REFERENCES \`suppliers\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`products\` ADD CONSTRAINT \`fk_products_origin_village_code\` FOREIGN KEY (\`origin_village_code\`) REFERENCES \`regions\` (\`code\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`supply_lots\` ADD CONSTRAINT \`fk_supply_lots_product_id\` FOREIGN KEY (\`product_id\`) REFERENCES \`products\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`lot_sources\` ADD CONSTRAINT \`fk_lot_sources_lot_id\` FOREIGN KEY (\`lot_id\`) REFERENCES \`supply_lots\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`lot_sources\` ADD CONSTRAINT \`fk_lot_sources_household_id\` FOREIGN KEY (\`household_id\`) REFERENCES \`households\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`users\` ADD CONSTRAINT \`fk_users_supplier_id\` FOREIGN KEY (\`supplier_id\`) REFERENCES \`suppliers\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`users\` ADD CONSTRAINT \`fk_users_organization_id\` FOREIGN KEY (\`organization_id\`) REFERENCES \`organizations\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`users\` ADD CONSTRAINT \`fk_users_host_id\` FOREIGN KEY (\`host_id\`) REFERENCES \`live_hosts\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`users\` ADD CONSTRAINT \`fk_users_region_code\` FOREIGN KEY (\`region_code\`) REFERENCES \`regions\` (\`code\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`organizations\` ADD CONSTRAINT \`fk_organizations_parent_id\` FOREIGN KEY (\`parent_id\`) REFERENCES \`organizations\` (\`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`live_hosts\` ADD CONSTRAINT \`fk_live_hosts_region_code\` FOREIGN KEY (\`region_code\`) REFERENCES \`regions\` (\`code\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`regions\` DROP FOREIGN KEY \`fk_regions_parent_code\``);
    await queryRunner.query(`ALTER TABLE \`households\` DROP FOREIGN KEY \`fk_households_village_code\``);
    await queryRunner.query(`ALTER TABLE \`suppliers\` DROP FOREIGN KEY \`fk_suppliers_village_code\``);
    await queryRunner.query(`ALTER TABLE \`suppliers\` DROP FOREIGN KEY \`fk_suppliers_household_id\``);
    await queryRunner.query(
      `ALTER TABLE \`benefit_linkages\` DROP FOREIGN KEY \`fk_benefit_linkages_supplier_id\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`benefit_linkages\` DROP FOREIGN KEY \`fk_benefit_linkages_household_id\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`benefit_linkages\` DROP FOREIGN KEY \`fk_benefit_linkages_collective_village_code\``,
    );
    await queryRunner.query(`ALTER TABLE \`products\` DROP FOREIGN KEY \`fk_products_supplier_id\``);
    await queryRunner.query(`ALTER TABLE \`products\` DROP FOREIGN KEY \`fk_products_origin_village_code\``);
    await queryRunner.query(`ALTER TABLE \`supply_lots\` DROP FOREIGN KEY \`fk_supply_lots_product_id\``);
    await queryRunner.query(`ALTER TABLE \`lot_sources\` DROP FOREIGN KEY \`fk_lot_sources_lot_id\``);
    await queryRunner.query(`ALTER TABLE \`lot_sources\` DROP FOREIGN KEY \`fk_lot_sources_household_id\``);
    await queryRunner.query(`ALTER TABLE \`users\` DROP FOREIGN KEY \`fk_users_supplier_id\``);
    await queryRunner.query(`ALTER TABLE \`users\` DROP FOREIGN KEY \`fk_users_organization_id\``);
    await queryRunner.query(`ALTER TABLE \`users\` DROP FOREIGN KEY \`fk_users_host_id\``);
    await queryRunner.query(`ALTER TABLE \`users\` DROP FOREIGN KEY \`fk_users_region_code\``);
    await queryRunner.query(`ALTER TABLE \`organizations\` DROP FOREIGN KEY \`fk_organizations_parent_id\``);
    await queryRunner.query(`ALTER TABLE \`live_hosts\` DROP FOREIGN KEY \`fk_live_hosts_region_code\``);
    await queryRunner.query(`
            DROP INDEX \`ix_sms_phone_created\` ON \`sms_messages\`
        `);
    await queryRunner.query(`
            DROP TABLE \`sms_messages\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_suppliers_village\` ON \`suppliers\`
        `);
    await queryRunner.query(`
            DROP TABLE \`suppliers\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_linkage_beneficiary\` ON \`benefit_linkages\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_linkages_household\` ON \`benefit_linkages\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_linkages_supplier\` ON \`benefit_linkages\`
        `);
    await queryRunner.query(`
            DROP TABLE \`benefit_linkages\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_regions_path\` ON \`regions\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_regions_parent\` ON \`regions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`regions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`organizations\`
        `);
    await queryRunner.query(`
            DROP TABLE \`live_hosts\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_users_phone_hash\` ON \`users\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_users_username\` ON \`users\`
        `);
    await queryRunner.query(`
            DROP TABLE \`users\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_otp_phone_created\` ON \`otp_codes\`
        `);
    await queryRunner.query(`
            DROP TABLE \`otp_codes\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_households_village_status\` ON \`households\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_households_id_number_hash\` ON \`households\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_households_registry_no\` ON \`households\`
        `);
    await queryRunner.query(`
            DROP TABLE \`households\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_lots_product_expiry\` ON \`supply_lots\`
        `);
    await queryRunner.query(`
            DROP TABLE \`supply_lots\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_lot_sources_lot_household\` ON \`lot_sources\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_lot_sources_household\` ON \`lot_sources\`
        `);
    await queryRunner.query(`
            DROP TABLE \`lot_sources\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_products_category\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_products_supplier\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP TABLE \`products\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_idempotency_scope_key\` ON \`idempotency_keys\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_idempotency_expires\` ON \`idempotency_keys\`
        `);
    await queryRunner.query(`
            DROP TABLE \`idempotency_keys\`
        `);
  }
}
