import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { isBillPeriod, isCalendarDate, parseBillAmount } from '../../billing/billing.service';

/** Identifiers the utility assigns (InstId, CompanyId): letters, digits, `_` and `-`. */
export const IDENTIFIER = /^[A-Za-z0-9_-]+$/;

/** A yuan amount as a string, "150.00": 1-13 digits, up to 2 decimals, positive (or zero with `allowZero`). */
export function IsYuanAmount(options: { allowZero?: boolean } = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isYuanAmount',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseBillAmount(value, options) !== null,
        defaultMessage: (args) =>
          `${args?.property} must be a ${options.allowZero ? 'non-negative' : 'positive'} yuan amount as a string such as "150.00" (at most 13 digits and 2 decimals)`,
      },
    },
    validationOptions,
  );
}

export function IsBillPeriod(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBillPeriod',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isBillPeriod(value),
        defaultMessage: (args) => `${args?.property} must be a real month as YYYYMM`,
      },
    },
    validationOptions,
  );
}

export function IsCalendarDate(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
        defaultMessage: (args) => `${args?.property} must be a real date as YYYY-MM-DD`,
      },
    },
    validationOptions,
  );
}

/** Query dates come as YYYYMMDD (the wire form) or YYYY-MM-DD; both become YYYY-MM-DD. */
export function NormalizeDate(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value,
  );
}

/** Integer query parameters: digits become a number; anything else ("", "1.5", "abc") stays a string for the validators to refuse. */
export function IntegerQuery(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value));
}
