import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows are claimed, not locked, while their jobs go to Redis: a claim token and a lease
 * (`claimed_until`), committed before the dispatcher calls Redis, so no lock is held across that call and a
 * dispatcher that dies leaves its rows to the others once the lease runs out. The due index carries the
 * lease last, so the claim query tells claimed rows from free ones in the index, still read in
 * (run_at, id) order.
 */
export class OutboxClaims1795940000000 implements MigrationInterface {
  name = 'OutboxClaims1795940000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`outbox\`
         ADD \`claim_token\` char(26) NULL,
         ADD \`claimed_until\` datetime(3) NULL,
         DROP INDEX \`ix_outbox_due\`,
         ADD INDEX \`ix_outbox_claimable\` (\`dispatched_at\`, \`run_at\`, \`id\`, \`claimed_until\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`outbox\`
         DROP INDEX \`ix_outbox_claimable\`,
         ADD INDEX \`ix_outbox_due\` (\`dispatched_at\`, \`run_at\`, \`id\`),
         DROP COLUMN \`claimed_until\`,
         DROP COLUMN \`claim_token\``,
    );
  }
}
