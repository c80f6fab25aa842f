import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { isUniqueViolation } from '../../database/errors';

/** Every admin error body: `{ statusCode, error, message }`, plus `fields` or `errors` where they help. */
export class AdminErrorView {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'Not Found' })
  error: string;

  @ApiProperty({ example: 'institution 00009 not found' })
  message: string;
}

export interface AdminErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [extra: string]: unknown;
}

export function adminErrorBody(status: number, message: string, extra: Record<string, unknown> = {}): AdminErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...extra };
}

export function sendAdminError(res: Response, body: AdminErrorBody): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(body.statusCode).json(body);
}

function describe(exception: unknown): AdminErrorBody | null {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return adminErrorBody(status, response);
    const { error, message, ...extra } = response as Record<string, unknown>;
    delete extra.statusCode;
    const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
    return { ...adminErrorBody(status, text, extra), ...(typeof error === 'string' ? { error } : {}) };
  }
  // A concurrent duplicate that passed the service's own check before the other committed.
  if (isUniqueViolation(exception)) return adminErrorBody(409, 'a record with that key already exists');
  return null;
}

/** Renders admin errors as JSON whatever filters the partner API installs globally; unexpected errors are logged, not shown. */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const body = describe(exception);
    if (body === null) {
      this.logger.error(
        `${req.method} ${req.originalUrl} failed: ${String(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    sendAdminError(http.getResponse<Response>(), body ?? adminErrorBody(500, 'internal error; see the server log'));
  }
}
