import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { randomUUID } from 'node:crypto';
import responseTime from 'response-time';
import type { PartnerRequest } from './partner-exchange';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const stampResponseTime = responseTime({ digits: 2, suffix: true, header: 'X-Response-Time' });

/** The request's id: X-Request-Id when well-formed, else a new UUID. Assigned once: the request log may ask first. */
export function assignRequestId(req: PartnerRequest): string {
  if (req.requestId) return req.requestId;
  const given = req.headers['x-request-id'];
  req.requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  return req.requestId;
}

/** X-Request-Id (echoed when well-formed, else a new UUID) and X-Response-Time on every response. */
@Injectable()
export class RequestMetaMiddleware implements NestMiddleware {
  use(req: PartnerRequest, res: Response, next: NextFunction): void {
    const requestId = assignRequestId(req);
    res.setHeader('X-Request-Id', requestId);
    stampResponseTime(req, res, next);
  }
}
