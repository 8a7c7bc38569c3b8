import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** Opaque, time-ordered 26-character ids: usable as cursors and as primary keys. */
export function newId(): string {
  return next();
}
