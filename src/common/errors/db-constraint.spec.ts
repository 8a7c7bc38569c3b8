import { Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { constraintProblem, fieldOfColumn, SchemaNames } from './db-constraint';
import { toProblem } from './problem.filter';

/** A driver error as mysql2 raises it, wrapped by TypeORM as a failed query. */
function failed(code: string, errno: number, sqlState: string, sqlMessage: string, query = 'SELECT 1') {
  const driver = Object.assign(new Error(sqlMessage), { code, errno, sqlState, sqlMessage, sql: query });
  return new QueryFailedError(query, ['secret-value'], driver);
}

// Messages as MariaDB 10.11 (and, where they differ, MySQL 8) word them.
const FK_CHILD =
  'Cannot add or update a child row: a foreign key constraint fails (`db`.`regions`, CONSTRAINT `fk_regions_parent_code` FOREIGN KEY (`parent_code`) REFERENCES `regions` (`code`))';
const FK_PARENT =
  'Cannot delete or update a parent row: a foreign key constraint fails (`db`.`households`, CONSTRAINT `fk_households_village_code` FOREIGN KEY (`village_code`) REFERENCES `regions` (`code`))';

describe('constraintProblem: every database refusal is a 4xx naming the API field', () => {
  // The mapping logs what it maps; the lines are not what these tests look at.
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    [
      'ER_NO_REFERENCED_ROW_2',
      failed('ER_NO_REFERENCED_ROW_2', 1452, '23000', FK_CHILD, 'INSERT INTO `regions`(`code`) VALUES (?)'),
      400,
      'validation-failed',
      [{ field: 'parentCode', message: 'parentCode must name an existing record' }],
    ],
    [
      'ER_ROW_IS_REFERENCED_2',
      failed('ER_ROW_IS_REFERENCED_2', 1451, '23000', FK_PARENT, 'DELETE FROM `regions` WHERE `code` = ?'),
      409,
      'still-referenced',
      [{ field: 'code', message: 'code is still in use by other records' }],
    ],
    [
      'ER_DUP_ENTRY (MariaDB)',
      failed(
        'ER_DUP_ENTRY',
        1062,
        '23000',
        "Duplicate entry 'R-1' for key 'uq_households_registry_no'",
        'INSERT INTO `households`(`id`) VALUES (?)',
      ),
      409,
      'duplicate',
      [{ field: 'registryNo', message: 'registryNo is already taken' }],
    ],
    [
      'ER_DUP_ENTRY (MySQL 8, table in the key, a hashed column)',
      failed(
        'ER_DUP_ENTRY',
        1062,
        '23000',
        "Duplicate entry 'ab12' for key 'households.uq_households_id_number_hash'",
      ),
      409,
      'duplicate',
      [{ field: 'idNumber', message: 'idNumber is already taken' }],
    ],
    [
      'ER_DATA_TOO_LONG',
      failed('ER_DATA_TOO_LONG', 1406, '22001', "Data too long for column 'head_name' at row 1"),
      400,
      'validation-failed',
      [{ field: 'headName', message: 'headName is too long' }],
    ],
    [
      'ER_TRUNCATED_WRONG_VALUE',
      failed(
        'ER_TRUNCATED_WRONG_VALUE',
        1292,
        '22007',
        "Incorrect date value: 'x' for column `db`.`supply_lots`.`produced_at` at row 1",
      ),
      400,
      'validation-failed',
      [{ field: 'producedAt', message: 'producedAt has an invalid value' }],
    ],
    [
      'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
      failed(
        'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
        1366,
        '22007',
        "Incorrect integer value: 'abc' for column `db`.`households`.`members` at row 1",
      ),
      400,
      'validation-failed',
      [{ field: 'members', message: 'members has an invalid value' }],
    ],
    [
      'ER_WARN_DATA_OUT_OF_RANGE',
      failed(
        'ER_WARN_DATA_OUT_OF_RANGE',
        1264,
        '22003',
        "Out of range value for column 'price_fen' at row 1",
      ),
      400,
      'validation-failed',
      [{ field: 'priceFen', message: 'priceFen is out of range' }],
    ],
    [
      'ER_DATA_OUT_OF_RANGE',
      failed(
        'ER_DATA_OUT_OF_RANGE',
        1690,
        '22003',
        "BIGINT UNSIGNED value is out of range in '`db`.`supply_lots`.`remaining` - 5'",
      ),
      400,
      'validation-failed',
      [{ field: 'remaining', message: 'remaining is out of range' }],
    ],
    [
      'ER_BAD_NULL_ERROR',
      failed('ER_BAD_NULL_ERROR', 1048, '23000', "Column 'village_code' cannot be null"),
      400,
      'validation-failed',
      [{ field: 'villageCode', message: 'villageCode is required' }],
    ],
    [
      'ER_NO_DEFAULT_FOR_FIELD',
      failed('ER_NO_DEFAULT_FOR_FIELD', 1364, 'HY000', "Field 'members' doesn't have a default value"),
      400,
      'validation-failed',
      [{ field: 'members', message: 'members is required' }],
    ],
    [
      'a CHECK constraint (MariaDB 4025, which the driver misnames)',
      failed(
        'ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE',
        4025,
        '23000',
        'CONSTRAINT `chk_supply_lots_quantity` failed for `db`.`supply_lots`',
      ),
      400,
      'validation-failed',
      [{ field: 'quantity', message: 'quantity is not an allowed value' }],
    ],
    [
      'ER_CHECK_CONSTRAINT_VIOLATED (MySQL 8)',
      failed(
        'ER_CHECK_CONSTRAINT_VIOLATED',
        3819,
        'HY000',
        "Check constraint 'chk_supply_lots_quantity' is violated.",
        'INSERT INTO `supply_lots`(`id`) VALUES (?)',
      ),
      400,
      'validation-failed',
      [{ field: 'quantity', message: 'quantity is not an allowed value' }],
    ],
  ])('%s', (_name, e, status, code, errors) => {
    const mapped = constraintProblem(e);
    expect(mapped?.problem).toMatchObject({ status, code, errors });
    // The value itself (possibly personal data) is never echoed.
    expect(JSON.stringify(mapped?.problem)).not.toMatch(/R-1|ab12|'x'|abc|secret-value/);
    // The global mapping uses it too: never a 500.
    expect(toProblem(e).problem).toMatchObject({ status, code });
  });

  it('takes the columns of a unique key from the schema when it knows the key', () => {
    const schema: SchemaNames = {
      keyColumns: (table, key) =>
        table === 'lot_sources' && key === 'uq_lot_sources_lot_household'
          ? ['lot_id', 'household_id']
          : undefined,
    };
    const e = failed(
      'ER_DUP_ENTRY',
      1062,
      '23000',
      "Duplicate entry 'a-b' for key 'uq_lot_sources_lot_household'",
      'INSERT INTO `lot_sources`(`id`) VALUES (?)',
    );
    expect(constraintProblem(e, schema)?.problem.errors).toEqual([
      { field: 'lotId', message: 'a record with the same lotId and householdId already exists' },
      { field: 'householdId', message: 'a record with the same lotId and householdId already exists' },
    ]);
  });

  it('maps any other integrity or data exception by its SQLSTATE, and leaves other errors alone', () => {
    expect(constraintProblem(failed('ER_SOMETHING_NEW', 9999, '23000', 'new rule'))?.problem).toMatchObject({
      status: 409,
      code: 'constraint-violated',
    });
    expect(
      constraintProblem(failed('ER_DIVISION_BY_ZERO', 1365, '22012', 'Division by 0'))?.problem,
    ).toMatchObject({
      status: 400,
      code: 'validation-failed',
    });
    expect(
      constraintProblem(failed('ER_NO_SUCH_TABLE', 1146, '42S02', "Table 'db.users' doesn't exist")),
    ).toBeUndefined();
    expect(constraintProblem(new Error('boom'))).toBeUndefined();
    expect(
      toProblem(failed('ER_NO_SUCH_TABLE', 1146, '42S02', "Table 'db.users' doesn't exist")).problem.status,
    ).toBe(500);
  });

  it('names a column by its API field', () => {
    expect(fieldOfColumn('parent_code')).toBe('parentCode');
    expect(fieldOfColumn('phone_enc')).toBe('phone');
    expect(fieldOfColumn('bank_account_masked')).toBe('bankAccount');
    expect(fieldOfColumn('name')).toBe('name');
  });
});
