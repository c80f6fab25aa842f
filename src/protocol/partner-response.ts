import { contentTypeFor, encodeMessage, ResponseMessage } from './codec';
import { encodeBody } from './crypto';
import { httpStatusOf, isSecurityCode, messageOf, ProtocolError, RespCode } from './errors';
import { PROTOCOL_VERSION } from './base-request.dto';
import type { PartnerExchange } from './partner-exchange';

export interface RenderedResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** The response envelope (CONTRACT §3): echoed BaseRequest fields, codes, and Data or ErrorDetail. */
export function successEnvelope(exchange: PartnerExchange, data: ResponseMessage): ResponseMessage {
  const operation = exchange.operation!;
  return {
    ...echo(exchange),
    RespCode: RespCode.AAAAAAA,
    RespMessage: operation.successMessage[exchange.language],
    Data: data,
  };
}

export function errorEnvelope(exchange: PartnerExchange, error: ProtocolError, at: Date): ResponseMessage {
  return {
    ...echo(exchange),
    RespCode: error.code,
    RespMessage: messageOf(error.code, exchange.language).slice(0, 60),
    ErrorDetail: { ErrorCode: error.code, ErrorMsg: error.detailIn(exchange.language), ErrorTime: at.toISOString() },
  };
}

function echo(exchange: PartnerExchange): ResponseMessage {
  const { echo: e, operation } = exchange;
  const tranCode = operation ? `${operation.tranCode}Res` : e.TranCode ? `${e.TranCode}Res` : undefined;
  // The answer is written in our version, even to a request that claimed another (PRM3005).
  return { Version: PROTOCOL_VERSION, InstId: e.InstId, TranCode: tranCode, TranDate: e.TranDate, TranSeq: e.TranSeq };
}

/**
 * Encodes a message in the exchange's format and charset (JSON when none was negotiated), and encrypts it with
 * the request's suite and a fresh IV — except security errors, which go in the clear.
 */
export function renderResponse(exchange: PartnerExchange, status: number, message: ResponseMessage): RenderedResponse {
  const format = exchange.format ?? 'JSON';
  const charset = format === 'XML' ? exchange.charset : 'UTF-8';
  const plain = encodeMessage(format, message, charset);
  const code = message.RespCode as RespCode | undefined;
  exchange.respCode = code;
  if (exchange.suite && exchange.secret && !(code && isSecurityCode(code))) {
    return {
      status,
      contentType: 'text/plain; charset=us-ascii',
      body: Buffer.from(encodeBody(exchange.suite, plain, exchange.secret), 'ascii'),
    };
  }
  return { status, contentType: contentTypeFor(format, charset), body: plain };
}

export function renderError(exchange: PartnerExchange, error: ProtocolError, at = new Date()): RenderedResponse {
  return renderResponse(exchange, httpStatusOf(error.code), errorEnvelope(exchange, error, at));
}
