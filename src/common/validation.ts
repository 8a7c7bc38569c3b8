import { applyDecorators, ValidationError, ValidationPipe } from '@nestjs/common';
import { IsDateString, IsNotEmpty, Matches } from 'class-validator';
import { FieldError, ValidationFailedError } from './errors/domain-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The one global pipe: unknown fields and wrong types are 400 `validation-failed` with per-field errors. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}

/** A calendar day `YYYY-MM-DD` (business dates and DATE columns): a real date, no time part. */
export const IsCalendarDate = () =>
  applyDecorators(
    IsDateString({ strict: true }),
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a date (YYYY-MM-DD)' }),
  );

/**
 * On an optional reference (`parentCode?`, `householdId?`): left out means none, but an empty string is a
 * mistake that would otherwise reach the lookup (or the foreign key) as a value.
 */
export const NotEmptyWhenGiven = () =>
  IsNotEmpty({ message: '$property must not be empty; leave it out instead' });
