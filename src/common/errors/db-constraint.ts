import type { FieldError } from './domain-error';
import { Problem, problemFor } from './problem';

/** Where the schema's names come from: the columns of a unique key, by table (when known) and key name. */
export interface SchemaNames {
  keyColumns(table: string | undefined, key: string): string[] | undefined;
}

interface DriverError {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
}

/** A database refusal turned into what the client is told, and what the log line records about it. */
export interface ConstraintProblem {
  problem: Problem;
  log: { dbCode?: string; errno?: number; table?: string; fields: string[] };
}

type Kind =
  | 'missing-reference'
  | 'still-referenced'
  | 'duplicate'
  | 'too-long'
  | 'invalid-value'
  | 'out-of-range'
  | 'required'
  | 'check';

// By errno: the driver names some MariaDB codes after the MySQL errors that share the number
// (MariaDB's 4025 CONSTRAINT ... failed arrives as ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE).
const KINDS: Record<number, Kind> = {
  1216: 'missing-reference', // ER_NO_REFERENCED_ROW
  1452: 'missing-reference', // ER_NO_REFERENCED_ROW_2
  1217: 'still-referenced', // ER_ROW_IS_REFERENCED
  1451: 'still-referenced', // ER_ROW_IS_REFERENCED_2
  1062: 'duplicate', // ER_DUP_ENTRY
  1169: 'duplicate', // ER_DUP_UNIQUE
  1586: 'duplicate', // ER_DUP_ENTRY_WITH_KEY_NAME
  1406: 'too-long', // ER_DATA_TOO_LONG
  1265: 'invalid-value', // WARN_DATA_TRUNCATED (an ENUM or SET value it does not know, in strict mode)
  1292: 'invalid-value', // ER_TRUNCATED_WRONG_VALUE
  1300: 'invalid-value', // ER_INVALID_CHARACTER_STRING
  1366: 'invalid-value', // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  1367: 'invalid-value', // ER_ILLEGAL_VALUE_FOR_TYPE
  1411: 'invalid-value', // ER_WRONG_VALUE_FOR_TYPE
  1525: 'invalid-value', // ER_WRONG_VALUE
  3140: 'invalid-value', // ER_INVALID_JSON_TEXT
  1264: 'out-of-range', // ER_WARN_DATA_OUT_OF_RANGE
  1690: 'out-of-range', // ER_DATA_OUT_OF_RANGE
  1048: 'required', // ER_BAD_NULL_ERROR
  1263: 'required', // ER_WARN_NULL_TO_NOTNULL
  1364: 'required', // ER_NO_DEFAULT_FOR_FIELD
  3819: 'check', // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  4025: 'check', // ER_CONSTRAINT_FAILED (MariaDB)
};

const MESSAGES: Record<Kind, (field: string, all: string[]) => string> = {
  'missing-reference': (f) => `${f} must name an existing record`,
  'still-referenced': (f) => `${f} is still in use by other records`,
  duplicate: (f, all) =>
    all.length > 1 ? `a record with the same ${all.join(' and ')} already exists` : `${f} is already taken`,
  'too-long': (f) => `${f} is too long`,
  'invalid-value': (f) => `${f} has an invalid value`,
  'out-of-range': (f) => `${f} is out of range`,
  required: (f) => `${f} is required`,
  check: (f) => `${f} is not an allowed value`,
};

/** The same shape as a DTO's validation failure, so a client handles both alike. */
function validationProblem(detail: string): Problem {
  return { ...problemFor(400, detail, 'validation-failed'), title: 'Validation failed' };
}

/** Storage forms of one API field (`id_number_hash`, `phone_enc`) answer to the field's name. */
const STORAGE_SUFFIX = /_(hash|enc|masked)$/;

/** The API field a column stands for: its camelCase name, without a storage suffix. */
export function fieldOfColumn(column: string): string {
  return column.replace(STORAGE_SUFFIX, '').replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function driverError(e: unknown): DriverError | undefined {
  if (!e || typeof e !== 'object') {
    return undefined;
  }
  const d = ((e as { driverError?: unknown }).driverError ?? e) as DriverError;
  return typeof d.errno === 'number' || typeof d.sqlState === 'string' ? d : undefined;
}

/** The table a failed statement wrote to, from TypeORM's `query` (INSERT INTO `t` / UPDATE `t` / DELETE FROM `t`). */
function tableOfQuery(e: unknown): string | undefined {
  const query = (e as { query?: unknown }).query;
  if (typeof query !== 'string') {
    return undefined;
  }
  return /^\s*(?:INSERT\s+(?:IGNORE\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+`?(\w+)`?/i.exec(
    query,
  )?.[1];
}

/** The columns a message names (MariaDB: `db`.`t`.`c`; MySQL: 'c'), and the table when it says. */
function columnOfMessage(kind: Kind, msg: string): { table?: string; columns: string[] } {
  if (kind === 'missing-reference' || kind === 'still-referenced') {
    // ... fails (`db`.`child`, CONSTRAINT `fk` FOREIGN KEY (`col`) REFERENCES `parent` (`pcol`))
    const m =
      /\(`[^`]+`\.`([^`]+)`, CONSTRAINT `[^`]+` FOREIGN KEY \(([^)]+)\) REFERENCES `([^`]+)` \(([^)]+)\)/.exec(
        msg,
      );
    if (!m) {
      return { columns: [] };
    }
    const list = (s: string) => s.split(',').map((c) => c.trim().replace(/`/g, ''));
    // A missing parent is the child column's fault; a parent still in use names its own key.
    return kind === 'missing-reference'
      ? { table: m[1], columns: list(m[2]) }
      : { table: m[3], columns: list(m[4]) };
  }
  const patterns = [
    /column (?:`[^`]*`\.)*`([^`]+)`/i, // MariaDB: for column `db`.`t`.`c`
    /column '([^']+)'/i, // MySQL and both: for column 'c', Column 'c' cannot be null
    /Field '([^']+)'/, // Field 'c' doesn't have a default value
    /out of range in '\(?(?:`[^`]+`\.)*`([^`]+)`/, // BIGINT UNSIGNED value is out of range in '`db`.`t`.`c` - 5'
  ];
  for (const p of patterns) {
    const m = p.exec(msg);
    if (m) {
      return { columns: [m[1]] };
    }
  }
  return { columns: [] };
}

/** The column a CHECK constraint guards, by the `chk_<table>_<column>` naming rule (or a column's own check). */
function columnOfCheck(msg: string, queryTable: string | undefined): { table?: string; columns: string[] } {
  // MariaDB: CONSTRAINT `chk_t_c` failed for `db`.`t`; MySQL: Check constraint 'chk_t_c' is violated.
  const m =
    /CONSTRAINT `([^`]+)` failed for (?:`[^`]+`\.)?`([^`]+)`/.exec(msg) ?? /constraint '([^']+)'/i.exec(msg);
  if (!m) {
    return { columns: [] };
  }
  const table = m[2] ?? queryTable;
  let name = m[1].replace(/^(chk|ck|check)_/i, '');
  if (table && name.startsWith(`${table}_`)) {
    name = name.slice(table.length + 1);
  }
  name = name.replace(/_chk_\d+$/, ''); // MySQL's generated names: <table>_chk_<n>
  return { table, columns: name && name !== table ? [name] : [] };
}

/** The columns of the unique key a duplicate hit: from the schema when it knows the key, else by its name. */
function columnsOfKey(msg: string, queryTable: string | undefined, schema?: SchemaNames) {
  // MariaDB: for key 'uq_t_c'; MySQL 8: for key 't.uq_t_c'
  const m = /for key '(?:([^'.]+)\.)?([^']+)'/.exec(msg);
  if (!m) {
    return { columns: [] };
  }
  const table = m[1] ?? queryTable;
  const key = m[2];
  const known = schema?.keyColumns(table, key);
  if (known?.length) {
    return { table, columns: known };
  }
  if (key === 'PRIMARY') {
    return { table, columns: [] };
  }
  let name = key.replace(/^(uq|uniq|unique|ux|idx|ix)_/i, '');
  if (table && name.startsWith(`${table}_`)) {
    name = name.slice(table.length + 1);
  }
  return { table, columns: [name] };
}

/**
 * Maps a database refusal (a foreign key, unique key, NOT NULL, CHECK, length, type or range violation) to a
 * 4xx problem naming the API fields, or undefined when `e` is not one. The offending value is never echoed:
 * it may be personal data.
 */
export function constraintProblem(e: unknown, schema?: SchemaNames): ConstraintProblem | undefined {
  const d = driverError(e);
  if (!d) {
    return undefined;
  }
  const kind = d.errno === undefined ? undefined : KINDS[d.errno];
  const sqlState = d.sqlState ?? '';
  if (!kind) {
    // Any other integrity (23xxx) or data (22xxx) exception is still the request's fault, never ours.
    if (sqlState.startsWith('23')) {
      return {
        problem: problemFor(
          409,
          'The request conflicts with a rule of the stored data.',
          'constraint-violated',
        ),
        log: { dbCode: d.code, errno: d.errno, fields: [] },
      };
    }
    if (sqlState.startsWith('22')) {
      return {
        problem: validationProblem('A value does not fit where it is stored.'),
        log: { dbCode: d.code, errno: d.errno, fields: [] },
      };
    }
    return undefined;
  }
  const msg = d.sqlMessage ?? '';
  const queryTable = tableOfQuery(e);
  const found =
    kind === 'duplicate'
      ? columnsOfKey(msg, queryTable, schema)
      : kind === 'check'
        ? columnOfCheck(msg, queryTable)
        : columnOfMessage(kind, msg);
  const fields = [...new Set(found.columns.map(fieldOfColumn))];
  const errors: FieldError[] = fields.map((f) => ({ field: f, message: MESSAGES[kind](f, fields) }));
  const problem =
    kind === 'duplicate'
      ? problemFor(409, 'A record with the same unique value already exists.', 'duplicate')
      : kind === 'still-referenced'
        ? problemFor(409, 'Other records still refer to this one.', 'still-referenced')
        : validationProblem('The request is not valid.');
  if (errors.length) {
    problem.errors = errors;
  }
  return { problem, log: { dbCode: d.code, errno: d.errno, table: found.table ?? queryTable, fields } };
}
