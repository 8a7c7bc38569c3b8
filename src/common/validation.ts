import { applyDecorators, ValidationError, ValidationPipe } from '@nestjs/common';
import { IsDateString, IsNotEmpty, Matches } from 'class-validator';
import { FieldError, ValidationFailedError } from './errors/domain-error';

/**
 * One message per field: the first of its rules that failed, in the order the DTO declares them (so a type
 * check written above a length check speaks first). class-validator runs a property's rules bottom-up, the
 * last declared first, so that is the last entry of `constraints`. A field's nested errors are reported only
 * when the field itself passed.
 */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    const failed = Object.entries(e.constraints ?? {});
    if (failed.length) {
      const [rule, message] = failed[failed.length - 1];
      return [{ field, message: rule === 'whitelistValidation' ? `${field} is not a known field` : message }];
    }
    return flatten(e.children ?? [], field);
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
    // Every rule runs so that flatten() can pick the first declared one that failed.
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
