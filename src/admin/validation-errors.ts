import { BadRequestException, ValidationError } from '@nestjs/common';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Each bad field, nested ones as `parent.child`, with its messages. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** 400 naming every bad field: `{ statusCode, error, message, fields: [{ field, messages }] }`. */
export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  const fields = flattenValidationErrors(errors);
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `invalid fields: ${fields.map((f) => f.field).join(', ')}`,
    fields,
  });
}
