import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The checkout's hot paths: at most one open payment per order, kept by the database (a stored column that
 * holds the order id only while the payment is PENDING, under a unique index), and the outbox read by when
 * its rows are due, so delayed rows (payment deadlines) wait in the table until shortly before they run.
 */
export class CheckoutPaths1795930000000 implements MigrationInterface {
  name = 'CheckoutPaths1795930000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // RTRIM: MariaDB refuses a stored column whose value could depend on the PAD_CHAR_TO_FULL_LENGTH mode.
    await queryRunner.query(
      `ALTER TABLE \`payments\`
         ADD \`open_order_id\` char(26) GENERATED ALWAYS AS (IF(\`status\` = 'PENDING', RTRIM(\`order_id\`), NULL)) STORED,
         ADD UNIQUE INDEX \`uq_payments_open_order\` (\`open_order_id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`outbox\`
         DROP INDEX \`ix_outbox_pending\`,
         ADD INDEX \`ix_outbox_due\` (\`dispatched_at\`, \`run_at\`, \`id\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`outbox\`
         DROP INDEX \`ix_outbox_due\`,
         ADD INDEX \`ix_outbox_pending\` (\`dispatched_at\`, \`id\`)`,
    );
    await queryRunner.query(
      `ALTER TABLE \`payments\` DROP INDEX \`uq_payments_open_order\`, DROP COLUMN \`open_order_id\``,
    );
  }
}
