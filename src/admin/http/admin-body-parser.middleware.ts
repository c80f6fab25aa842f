import { Injectable, NestMiddleware } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { AdminTokenVerifier } from './admin-auth.guard';
import { AdminErrorBody, adminErrorBody, sendAdminError } from './admin-errors';

/** body-parser's "mb" is 2^20 bytes. */
export const ADMIN_JSON_LIMIT = '1mb';
export const ADMIN_CSV_LIMIT = '10mb';

interface BodyParserError {
  status?: number;
  type?: string;
}

function bodyParserError(error: unknown, limit: string): AdminErrorBody {
  const { status, type } = (error ?? {}) as BodyParserError;
  if (type === 'entity.parse.failed') return adminErrorBody(400, 'malformed JSON body');
  if (type === 'entity.too.large') return adminErrorBody(413, `request body exceeds ${limit.replace('mb', ' MiB')}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return adminErrorBody(415, 'unsupported body encoding or charset');
  if (status !== undefined && status >= 400 && status < 500) return adminErrorBody(status, 'request body could not be read');
  return adminErrorBody(500, 'request body could not be read');
}

/** A body with bytes in it; an empty POST (a key rotation) needs no content type. */
function hasContent(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Body parsing for the admin API only: the app starts without body parsers because the partner protocol
 * reads raw bytes. Parser failures are answered here, as JSON, since Express would otherwise render HTML.
 */
@Injectable()
export class AdminBodyParserMiddleware implements NestMiddleware {
  private readonly parseJson = express.json({ limit: ADMIN_JSON_LIMIT });
  private readonly parseCsv = express.text({ type: 'text/csv', limit: ADMIN_CSV_LIMIT });

  constructor(private readonly verifier: AdminTokenVerifier) {}

  use(req: Request, res: Response, next: NextFunction): void {
    // The body of an unauthenticated request is never read: the guard answers 401 first.
    if (this.verifier.problem(req.headers.authorization) !== null) return next();
    if (hasContent(req) && req.is(['application/json', 'text/csv']) === false) {
      return sendAdminError(res, adminErrorBody(415, 'the admin API takes application/json (text/csv on bills/import)'));
    }
    this.parseJson(req, res, (jsonError?: unknown) => {
      if (jsonError) return sendAdminError(res, bodyParserError(jsonError, ADMIN_JSON_LIMIT));
      if (Array.isArray(req.body)) return sendAdminError(res, adminErrorBody(400, 'the JSON body must be an object'));
      this.parseCsv(req, res, (csvError?: unknown) =>
        csvError ? sendAdminError(res, bodyParserError(csvError, ADMIN_CSV_LIMIT)) : next(),
      );
    });
  }
}
