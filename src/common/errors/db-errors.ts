/** The MySQL error code (`ER_…`) of a driver error, wrapped by TypeORM or not. */
export function errorCode(e: unknown): string | undefined {
  const err = e as { driverError?: { code?: string }; code?: string };
  return err.driverError?.code ?? err.code;
}

export function isDuplicateKey(e: unknown): boolean {
  return errorCode(e) === 'ER_DUP_ENTRY';
}
