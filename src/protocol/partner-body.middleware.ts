import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { ProtocolError, RespCode } from './errors';
import { exchangeOf, negotiateFormat, PartnerRequest, sniffCharset } from './partner-exchange';
import { BODY_LIMIT, OPERATIONS, PAYCHECK_BODY_LIMIT } from './partner-operation';
import { renderError } from './partner-response';

export const BODY_READ_TIMEOUT = Symbol('BODY_READ_TIMEOUT_MS');

/**
 * Reads a partner request's raw bytes (GBK and encrypted bodies are decoded later) within the body limit and
 * the read timeout. Content type, size and timeout are the first checks of CONTRACT §1; their errors are JSON.
 */
@Injectable()
export class PartnerBodyMiddleware implements NestMiddleware {
  constructor(@Inject(BODY_READ_TIMEOUT) private readonly readTimeoutMs: number) {}

  use(req: PartnerRequest, res: Response, next: NextFunction): void {
    const exchange = exchangeOf(req);
    const fail = (error: ProtocolError) => {
      if (res.headersSent) return;
      const rendered = renderError({ ...exchange, format: 'JSON', suite: undefined }, error);
      res.status(rendered.status).setHeader('Content-Type', rendered.contentType);
      res.setHeader('Connection', 'close');
      res.end(rendered.body);
    };
    if (req.method !== 'POST') return next();
    let negotiated: ReturnType<typeof negotiateFormat>;
    try {
      negotiated = negotiateFormat(req);
    } catch (error) {
      req.resume();
      return fail(error as ProtocolError);
    }
    const limit = req.path === OPERATIONS.PayCheck.path ? PAYCHECK_BODY_LIMIT : BODY_LIMIT;
    const tooLarge = () => new ProtocolError(RespCode.PRM3007, { zh: `报文超过${limit / 1024} KiB`, en: `body over ${limit / 1024} KiB` });
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return fail(tooLarge());
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: ProtocolError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.removeListener('data', onData);
      if (error) {
        fail(error);
        req.destroy();
        return;
      }
      req.rawBody = Buffer.concat(chunks, size);
      // Known from here on, so that even a 404 or a security error is answered in the partner's format and charset.
      exchange.format = negotiated.format;
      exchange.contentTypeCharset = negotiated.contentTypeCharset;
      exchange.charset = sniffCharset(negotiated.format, req.rawBody, negotiated.contentTypeCharset);
      next();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(tooLarge());
      chunks.push(chunk);
    };
    const timer = setTimeout(
      () => finish(new ProtocolError(RespCode.NET5001, { zh: '报文接收超时', en: `body not received within ${this.readTimeoutMs} ms` })),
      this.readTimeoutMs,
    );
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', () => finish(new ProtocolError(RespCode.NET5001, { zh: '报文接收中断', en: 'body not received' })));
  }
}
