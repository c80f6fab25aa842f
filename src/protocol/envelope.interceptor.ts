import { CallHandler, ExecutionContext, Inject, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { BusinessClock } from '../common/business-clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { isUniqueViolation } from '../database/errors';
import { UnitOfWork } from '../database/unit-of-work';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { decodeMessage, MessageFormatError, MessageObject, ResponseMessage } from './codec';
import { CipherIntegrityError, decodeBody, resolveCipherSuite, UnsupportedCipherError } from './crypto';
import { BaseRequest, PROTOCOL_VERSION } from './base-request.dto';
import { BusinessError, httpStatusOf, ProtocolError, RespCode } from './errors';
import { IdempotencyStore, StoredOutcome } from './idempotency/idempotency.store';
import { bindMessage } from './message-fields';
import { encryptionHeaders, exchangeOf, negotiateFormat, PartnerExchange, PartnerRequest, sniffCharset } from './partner-exchange';
import { isTranCode, OPERATIONS, PARTNER_OPERATION, PartnerOperationMeta, TranCode } from './partner-operation';
import { EncodedMessage } from './partner-http-adapter';
import { PartnerOperationRegistry } from './partner-operation.registry';
import { errorEnvelope, renderResponse, successEnvelope } from './partner-response';
import { PartnerRateLimiter, rateLimitHeaders } from './throttling';

/** A non-200 answer the pipeline produced or replayed (business rejections); the filter writes it out. */
export class OutcomeResponse extends Error {
  constructor(readonly outcome: StoredOutcome) {
    super('idempotent replay');
  }
}

export const PROCESSING_DEADLINE = Symbol('PROCESSING_DEADLINE_MS');

const ECHO_FIELDS = ['InstId', 'TranCode', 'TranDate', 'TranSeq'] as const;

/**
 * The partner protocol pipeline, in the order of CONTRACT §1: negotiation → API key → decryption → parsing →
 * InstId → TranCode → Version → fields → TranDate → idempotency → rate limits → the controller, then encoding.
 * Controllers receive the bound request object and return the message's `Data`.
 */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Partner');

  constructor(
    private readonly reflector: Reflector,
    private readonly registry: PartnerOperationRegistry,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly idempotency: IdempotencyStore,
    private readonly rateLimiter: PartnerRateLimiter,
    private readonly uow: UnitOfWork,
    private readonly clock: BusinessClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESSING_DEADLINE) private readonly deadlineMs: number,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<PartnerOperationMeta | undefined>(PARTNER_OPERATION, context.getHandler());
    if (!meta) return next.handle();
    const req = context.switchToHttp().getRequest<PartnerRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    return from(this.withinDeadline(meta, req, res, next));
  }

  /**
   * Answers 408 NET5001 when the deadline passes, unless the work is already committing (then its result answers,
   * however late). Work still running then is abandoned: its transaction rolls back at its next deadline check.
   */
  private withinDeadline(meta: PartnerOperationMeta, req: PartnerRequest, res: Response, next: CallHandler): Promise<EncodedMessage> {
    const deadline: Deadline = { at: Date.now() + this.deadlineMs, passed: false, committing: false };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (deadline.committing) return;
        deadline.passed = true;
        reject(deadlinePassed());
      }, this.deadlineMs);
      this.handle(meta, req, res, next, deadline).then(
        (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        (error: Error) => {
          clearTimeout(timer);
          if (deadline.passed && !(error instanceof ProtocolError))
            this.logger.warn(`abandoned request ${req.requestId}: ${String(error)}`);
          reject(error);
        },
      );
    });
  }

  private async handle(
    meta: PartnerOperationMeta,
    req: PartnerRequest,
    res: Response,
    next: CallHandler,
    deadline: Deadline,
  ): Promise<EncodedMessage> {
    const exchange = exchangeOf(req);
    // PartnerBodyMiddleware negotiated the format as it read the body (every partner route is under /api/app/).
    if (exchange.format === undefined) Object.assign(exchange, negotiateFormat(req));
    const format = exchange.format!;
    const contentTypeCharset = exchange.contentTypeCharset;

    const partner = await this.authenticator.authenticate(firstHeader(req, 'x-api-key'));
    exchange.institution = partner.institution;
    const body = this.decrypt(req, exchange, partner.secret, partner.institution.legacyCiphers, partner.institution.requireEncryption);
    // The body reader sniffed the charset of what it received; decrypted text may declare another.
    if (exchange.suite) exchange.charset = sniffCharset(format, body, contentTypeCharset);

    let decoded: { fields: MessageObject; charset: 'GBK' | 'UTF-8' };
    try {
      decoded = decodeMessage(format, body, contentTypeCharset);
    } catch (error) {
      if (error instanceof MessageFormatError) throw new ProtocolError(RespCode.PRM3001, { zh: '报文无法解析', en: error.message });
      throw error;
    }
    exchange.charset = decoded.charset;
    for (const name of ECHO_FIELDS) {
      const value = decoded.fields[name];
      if (typeof value === 'string' && value.length <= 40) exchange.echo[name] = value;
    }

    const fields = decoded.fields;
    const instId = fields.InstId;
    if (typeof instId === 'string' && instId !== '' && instId !== partner.institution.instId) {
      throw new ProtocolError(RespCode.SEC2004, {
        zh: `机构号${instId.slice(0, 30)}与API密钥不符`,
        en: `InstId ${instId.slice(0, 30)} is not the API key's institution`,
      });
    }

    const operation = this.resolveOperation(meta, fields.TranCode);
    exchange.operation = operation;
    const version = fields.Version;
    if (typeof version === 'string' && version !== '' && version !== PROTOCOL_VERSION) {
      throw new ProtocolError(RespCode.PRM3005, { zh: `版本号须为${PROTOCOL_VERSION}`, en: `Version must be ${PROTOCOL_VERSION}` });
    }
    const requestType = meta.tranCode === 'gateway' ? this.requestTypeOf(operation.tranCode) : meta.request!;
    const request = bindMessage(requestType, fields) as BaseRequest;
    if (operation.tranCode === 'PayInvalid' && request.TranSeq.length > 37) {
      throw new ProtocolError(RespCode.PRM3003, {
        zh: '字段TranSeq红冲时不超过37位',
        en: 'field TranSeq is at most 37 characters on PayInvalid',
      });
    }
    this.checkTranDate(request.TranDate);
    exchange.request = request;

    const outcome = await this.execute(exchange, request, res, next, deadline);
    if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
    if (outcome.httpStatus !== 200) throw new OutcomeResponse(outcome);
    const rendered = renderResponse(exchange, 200, outcome.message);
    return new EncodedMessage(rendered.body, rendered.contentType);
  }

  private decrypt(req: PartnerRequest, exchange: PartnerExchange, secret: Buffer, legacyAllowed: boolean, required: boolean): Buffer {
    const raw = req.rawBody ?? Buffer.alloc(0);
    const { type, mode } = encryptionHeaders(req);
    let suite;
    try {
      suite = resolveCipherSuite(type, mode);
    } catch (error) {
      if (error instanceof UnsupportedCipherError) throw new ProtocolError(RespCode.SEC2005, { zh: '不支持的加密方式', en: error.message });
      throw error;
    }
    if (!suite) {
      if (required) throw new ProtocolError(RespCode.SEC2006, { zh: '该机构须加密传输', en: 'this institution must encrypt its messages' });
      return raw;
    }
    if (suite.legacy && !legacyAllowed)
      throw new ProtocolError(RespCode.SEC2005, { zh: '3DES未对该机构启用', en: '3DES is not enabled for this institution' });
    try {
      const plain = decodeBody(suite, raw.toString('latin1').trim(), secret);
      exchange.suite = suite;
      exchange.secret = secret;
      return plain;
    } catch (error) {
      if (error instanceof CipherIntegrityError) throw new ProtocolError(RespCode.SEC2001);
      throw error;
    }
  }

  private resolveOperation(meta: PartnerOperationMeta, tranCode: unknown) {
    if (meta.tranCode === 'gateway') {
      if (typeof tranCode !== 'string' || tranCode === '')
        throw new ProtocolError(RespCode.PRM3002, { zh: '缺少字段TranCode', en: 'missing field TranCode' });
      if (!isTranCode(tranCode) || !OPERATIONS[tranCode].onGateway) {
        throw new ProtocolError(RespCode.PRM3004, {
          zh: `网关不受理交易码${tranCode.slice(0, 20)}`,
          en: `TranCode ${tranCode.slice(0, 20)} is not served by the gateway`,
        });
      }
      return OPERATIONS[tranCode];
    }
    if (typeof tranCode === 'string' && tranCode !== '' && tranCode !== meta.tranCode) {
      throw new ProtocolError(RespCode.PRM3004, { zh: `交易码须为${meta.tranCode}`, en: `TranCode must be ${meta.tranCode} on this path` });
    }
    return OPERATIONS[meta.tranCode];
  }

  private requestTypeOf(tranCode: TranCode): new () => object {
    const handler = this.registry.find(tranCode);
    if (!handler)
      throw new ProtocolError(RespCode.PRM3004, {
        zh: `网关不受理交易码${tranCode}`,
        en: `TranCode ${tranCode} is not served by the gateway`,
      });
    return handler.request;
  }

  /** YYYYMMDD, a real date, within one day of the business date: exactly the three dates of the window. */
  private checkTranDate(tranDate: string): void {
    if (!this.clock.tranDateWindow().has(tranDate)) {
      throw new ProtocolError(RespCode.PRM3006, {
        zh: 'TranDate须为业务日期前后一日内的YYYYMMDD',
        en: 'TranDate must be YYYYMMDD within one day of the business date',
      });
    }
  }

  /** Idempotency, rate limit and the controller in one database transaction, so an answer is stored exactly when its work committed. */
  private async execute(
    exchange: PartnerExchange,
    request: BaseRequest,
    res: Response,
    next: CallHandler,
    deadline: Deadline,
  ): Promise<StoredOutcome & { replayed: boolean }> {
    const operation = exchange.operation!;
    const instId = exchange.institution!.instId;
    const run = async (): Promise<StoredOutcome & { replayed: boolean }> => {
      this.checkDeadline(deadline);
      if (operation.stateChanging) {
        const claim = await this.idempotency.claim(
          instId,
          request.TranSeq,
          operation.tranCode,
          this.idempotency.requestHash(request),
          new Date(),
        );
        if (claim.kind === 'replay') return { ...claim.outcome, replayed: true };
        if (claim.kind === 'conflict') {
          throw new ProtocolError(RespCode.DEF0009, {
            zh: `流水号${request.TranSeq}已用于另一笔交易`,
            en: `TranSeq ${request.TranSeq} was used for another request`,
          });
        }
      }
      const decision = await this.rateLimiter.consume(operation.tranCode, instId, request as unknown as Record<string, unknown>);
      res.set({ ...rateLimitHeaders(decision) });
      if (!decision.allowed) {
        throw new ProtocolError(RespCode.LMT4001, {
          zh: '请求过于频繁, 请稍后重试',
          en: `rate limit of ${decision.limit} exceeded; retry after ${decision.retryAfterSeconds}s`,
        });
      }
      let outcome: StoredOutcome;
      try {
        const data = await this.uow.savepoint(() => lastValueFrom(next.handle() as Observable<ResponseMessage>, { defaultValue: {} }));
        outcome = { httpStatus: 200, message: successEnvelope(exchange, data) };
      } catch (error) {
        if (!(error instanceof BusinessError)) throw error;
        outcome = { httpStatus: httpStatusOf(error.code), message: errorEnvelope(exchange, error, new Date()) };
      }
      this.checkDeadline(deadline);
      // From here the answer is this work's result, however late (CONTRACT §6).
      deadline.committing = true;
      if (operation.stateChanging) await this.idempotency.complete(instId, request.TranSeq, outcome);
      return { ...outcome, replayed: false };
    };

    const attempt = () => (operation.stateChanging ? this.uow.transaction(run) : run());
    try {
      return await attempt();
    } catch (error) {
      // A concurrent duplicate committed first: its record is visible now, so this attempt replays it.
      if (operation.stateChanging && isUniqueViolation(error)) return attempt();
      throw error;
    }
  }

  private checkDeadline(deadline: Deadline): void {
    if (deadline.passed || Date.now() > deadline.at) throw deadlinePassed();
  }
}

interface Deadline {
  at: number;
  /** NET5001 was answered: the work must not commit. */
  passed: boolean;
  /** The work passed its last deadline check and is committing: its result answers. */
  committing: boolean;
}

function deadlinePassed(): ProtocolError {
  return new ProtocolError(RespCode.NET5001, { zh: '处理超时, 交易未执行', en: 'processing passed its deadline; nothing was applied' });
}

function firstHeader(req: PartnerRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
