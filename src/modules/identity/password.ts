import { compare, hash, hashSync } from 'bcryptjs';
import { createHash } from 'node:crypto';

const BCRYPT_ROUNDS = 10;
/** bcrypt ignores every byte past the 72nd (24 Chinese characters in UTF-8). */
const BCRYPT_MAX_BYTES = 72;

/**
 * What bcrypt gets: the password itself when it fits in 72 bytes (so hashes made that way stay valid), else a
 * SHA-256 digest of all of it, so two long passwords that share their first 72 bytes are not the same password.
 */
function bcryptInput(password: string): string {
  return Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES
    ? `sha256:${createHash('sha256').update(password, 'utf8').digest('base64')}`
    : password;
}

export function hashPassword(password: string): Promise<string> {
  return hash(bcryptInput(password), BCRYPT_ROUNDS);
}

export function hashPasswordSync(password: string): string {
  return hashSync(bcryptInput(password), BCRYPT_ROUNDS);
}

export function checkPassword(password: string, passwordHash: string): Promise<boolean> {
  return compare(bcryptInput(password), passwordHash);
}
