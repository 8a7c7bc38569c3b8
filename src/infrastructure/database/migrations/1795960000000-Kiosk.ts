import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Smart cabinets: the cabinets, their slots (units moved out of a supply lot into a scale), the sessions
 * (at most one open per cabinet: a unique index on `open_cabinet_id`, NULL once a session is over) and the
 * operators' alerts.
 */
export class Kiosk1795960000000 implements MigrationInterface {
  name = 'Kiosk1795960000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`cabinets\` (
                \`id\` char(26) NOT NULL,
                \`code\` varchar(32) NOT NULL,
                \`name\` varchar(100) NOT NULL,
                \`site_type\` varchar(16) NOT NULL,
                \`address\` varchar(255) NOT NULL,
                \`device_secret_enc\` varchar(255) NOT NULL,
                \`status\` varchar(12) NOT NULL,
                \`maintenance_reason\` varchar(255) NULL,
                \`last_seen_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_cabinets_code\` (\`code\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`cabinet_slots\` (
                \`cabinet_id\` char(26) NOT NULL,
                \`slot_no\` int NOT NULL,
                \`product_id\` char(26) NOT NULL,
                \`lot_id\` char(26) NOT NULL,
                \`unit_weight_grams\` int NOT NULL,
                \`tolerance_grams\` int NOT NULL,
                \`quantity\` int UNSIGNED NOT NULL,
                \`par_level\` int NOT NULL DEFAULT 0,
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                PRIMARY KEY (\`cabinet_id\`, \`slot_no\`),
                CONSTRAINT \`fk_cabinet_slots_cabinet\` FOREIGN KEY (\`cabinet_id\`) REFERENCES \`cabinets\` (\`id\`),
                CONSTRAINT \`fk_cabinet_slots_product\` FOREIGN KEY (\`product_id\`) REFERENCES \`products\` (\`id\`),
                CONSTRAINT \`fk_cabinet_slots_lot\` FOREIGN KEY (\`lot_id\`) REFERENCES \`supply_lots\` (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`kiosk_sessions\` (
                \`id\` char(26) NOT NULL,
                \`cabinet_id\` char(26) NOT NULL,
                \`open_cabinet_id\` char(26) NULL,
                \`kind\` varchar(12) NOT NULL,
                \`user_id\` char(26) NOT NULL,
                \`status\` varchar(12) NOT NULL,
                \`unlock_expires_at\` datetime(3) NOT NULL,
                \`opened_at\` datetime(3) NULL,
                \`closed_at\` datetime(3) NULL,
                \`weights_before\` text NULL,
                \`weights_after\` text NULL,
                \`items\` text NULL,
                \`total_fen\` bigint NOT NULL DEFAULT 0,
                \`order_id\` char(26) NULL,
                \`review_reason\` varchar(255) NULL,
                \`reason_code\` varchar(24) NULL,
                \`evidence\` text NULL,
                \`dispute_reason\` varchar(500) NULL,
                \`resolved_by\` char(26) NULL,
                \`resolution_note\` varchar(500) NULL,
                \`restock\` text NULL,
                \`charged_at\` datetime(3) NULL,
                \`receipt_sent_at\` datetime(3) NULL,
                \`correction\` text NULL,
                \`correction_lease_until\` datetime(3) NULL,
                \`correction_done_at\` datetime(3) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
                UNIQUE INDEX \`uq_kiosk_sessions_open_cabinet\` (\`open_cabinet_id\`),
                INDEX \`ix_kiosk_sessions_cabinet\` (\`cabinet_id\`),
                INDEX \`ix_kiosk_sessions_order\` (\`order_id\`),
                INDEX \`ix_kiosk_sessions_user\` (\`user_id\`, \`created_at\`),
                INDEX \`ix_kiosk_sessions_status\` (\`status\`, \`updated_at\`),
                PRIMARY KEY (\`id\`),
                CONSTRAINT \`fk_kiosk_sessions_cabinet\` FOREIGN KEY (\`cabinet_id\`) REFERENCES \`cabinets\` (\`id\`),
                CONSTRAINT \`fk_kiosk_sessions_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`kiosk_alerts\` (
                \`id\` char(26) NOT NULL,
                \`cabinet_id\` char(26) NOT NULL,
                \`session_id\` char(26) NULL,
                \`kind\` varchar(24) NOT NULL,
                \`detail\` varchar(500) NOT NULL,
                \`cleared_at\` datetime(3) NULL,
                \`cleared_by\` char(26) NULL,
                \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
                INDEX \`ix_kiosk_alerts_cabinet\` (\`cabinet_id\`, \`created_at\`),
                PRIMARY KEY (\`id\`),
                CONSTRAINT \`fk_kiosk_alerts_cabinet\` FOREIGN KEY (\`cabinet_id\`) REFERENCES \`cabinets\` (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `kiosk_alerts`');
    await queryRunner.query('DROP TABLE `kiosk_sessions`');
    await queryRunner.query('DROP TABLE `cabinet_slots`');
    await queryRunner.query('DROP TABLE `cabinets`');
  }
}
