import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';

/** A partner answer already encoded: charset, format and cipher applied. */
export class EncodedMessage {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
  ) {}
}

/**
 * Express as Nest drives it, except that an EncodedMessage returned through the partner pipeline is written with
 * one `end()`, as the exception filter writes error answers. Nest alone would need a StreamableFile, i.e. a
 * Readable stream piped into the response, for every partner answer. Every app is created with this adapter
 * (configureApp checks).
 */
export class PartnerHttpAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!(body instanceof EncodedMessage)) return super.reply(response, body, statusCode);
    if (statusCode) response.status(statusCode);
    response.setHeader('Content-Type', body.contentType);
    response.setHeader('Content-Length', body.bytes.length);
    return response.end(body.bytes);
  }
}
