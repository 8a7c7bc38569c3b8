import { defineError } from '@/common/errors/domain-error';

export class SourcesMismatchError extends defineError({
  status: 400,
  code: 'sources-mismatch',
  title: 'Sources do not add up',
  description: 'The quantities of the lot’s sources do not add up to the lot’s quantity.',
}) {
  constructor(sum: number, quantity: number) {
    super(`The sources add up to ${sum}, the lot holds ${quantity}.`);
  }
}

export class ProductNotFoundError extends defineError({
  status: 404,
  code: 'product-not-found',
  title: 'Not found',
  description: 'No product has this id.',
}) {
  constructor(id: string) {
    super(`Product ${id} was not found.`);
  }
}

export class LotNotFoundError extends defineError({
  status: 404,
  code: 'lot-not-found',
  title: 'Not found',
  description: 'No supply lot has this id.',
}) {
  constructor(id: string) {
    super(`Lot ${id} was not found.`);
  }
}
