import { createParamDecorator, ExecutionContext, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';

/** The request body as CSV text; any other content type is 415. */
export const CsvBody = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const req = context.switchToHttp().getRequest<Request>();
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'text/csv') throw new UnsupportedMediaTypeException('this endpoint takes Content-Type: text/csv');
  return typeof req.body === 'string' ? req.body : '';
});
