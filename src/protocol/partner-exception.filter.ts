import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import type { Response } from 'express';
import { OutcomeResponse } from './envelope.interceptor';
import { ProtocolError, RespCode } from './errors';
import { exchangeOf, PartnerRequest } from './partner-exchange';
import { PARTNER_PATH_PREFIX } from './partner-operation';
import { renderError, renderResponse, RenderedResponse } from './partner-response';

/**
 * The one global filter. Under the partner paths every failure becomes a contract envelope in the request's
 * format (and cipher, except security errors); unknown errors are SYS1001 with the request id, the stack only
 * in the log. Other paths (admin, health, docs) keep Nest's JSON errors.
 */
@Catch()
export class PartnerExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Partner');
  private fallbackFilter?: BaseExceptionFilter;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Built on first use: in a testing module the filter is created before the HTTP adapter exists. */
  private get fallback(): BaseExceptionFilter {
    this.fallbackFilter ??= new BaseExceptionFilter(this.adapterHost.httpAdapter);
    return this.fallbackFilter;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<PartnerRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (!req.path.startsWith(PARTNER_PATH_PREFIX)) {
      this.fallback.catch(exception, host);
      return;
    }
    const exchange = exchangeOf(req);
    let rendered: RenderedResponse;
    try {
      if (exception instanceof OutcomeResponse) {
        rendered = renderResponse(exchange, exception.outcome.httpStatus, exception.outcome.message);
      } else {
        const error = this.toProtocolError(exception, exchange.requestId);
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        rendered = renderError(exchange, error);
        if (exception instanceof HttpException && (exception.getStatus() as HttpStatus) === HttpStatus.NOT_FOUND)
          rendered.status = HttpStatus.NOT_FOUND;
      }
    } catch (renderFailure) {
      this.logger.error(`request ${exchange.requestId}: could not render an error response`, (renderFailure as Error).stack);
      exchange.format = 'JSON';
      exchange.suite = undefined;
      rendered = renderError(exchange, new ProtocolError(RespCode.SYS1001, `系统异常, 请求号${exchange.requestId}`));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(rendered.status).setHeader('Content-Type', rendered.contentType);
    res.setHeader('Content-Length', rendered.body.length);
    res.end(rendered.body);
  }

  private toProtocolError(exception: unknown, requestId: string): ProtocolError {
    if (exception instanceof ProtocolError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus() as HttpStatus;
      if (status === HttpStatus.NOT_FOUND)
        return new ProtocolError(RespCode.PRM3004, { zh: '接口不存在', en: 'no partner operation at this path' });
      if (status === HttpStatus.PAYLOAD_TOO_LARGE) return new ProtocolError(RespCode.PRM3007);
      if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return new ProtocolError(RespCode.PRM3008);
    }
    this.logger.error(`request ${requestId}: ${(exception as Error)?.message ?? String(exception)}`, (exception as Error)?.stack);
    return new ProtocolError(RespCode.SYS1001, { zh: `系统异常, 请求号${requestId}`, en: `system error, request id ${requestId}` });
  }
}
