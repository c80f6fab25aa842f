import { SetMetadata } from '@nestjs/common';

export type TranCode =
  | 'Query'
  | 'Pay'
  | 'PayInvalid'
  | 'PayQuery'
  | 'PayCheck'
  | 'Signing'
  | 'AgreementQuery'
  | 'Termination'
  | 'SendDisc'
  | 'BackDisc'
  | 'CancelDisc'
  | 'DiscQuery';

export interface OperationInfo {
  tranCode: TranCode;
  path: string;
  operationId: string;
  /** Changes state, so (InstId, TranSeq) is idempotent (CONTRACT §6). */
  stateChanging: boolean;
  /** Served by POST /api/app/gateway too. */
  onGateway: boolean;
  /** RespMessage on success. */
  successMessage: { zh: string; en: string };
}

const SUCCESS = { zh: '成功', en: 'Success' };

/** CONTRACT §1, in its order. */
export const OPERATIONS: Record<TranCode, OperationInfo> = {
  Query: op('Query', '/api/app/payCeb/getChargeSearch', 'queryBill', false),
  Pay: op('Pay', '/api/app/payCeb/getChargeOffs', 'payBill', true),
  PayInvalid: op('PayInvalid', '/api/app/payInvalid/payInvalid', 'invalidPayment', true, { zh: '红冲成功', en: 'Reversed' }),
  PayQuery: op('PayQuery', '/api/app/payCeb/payQuery', 'queryPayment', false),
  PayCheck: { ...op('PayCheck', '/api/app/payCeb/paymentCheck', 'paymentCheck', true), onGateway: false },
  Signing: op('Signing', '/api/app/bankWithholding/signing', 'withholdingSigning', true),
  AgreementQuery: op('AgreementQuery', '/api/app/bankWithholding/agreementQuery', 'queryAgreement', false),
  Termination: op('Termination', '/api/app/bankWithholding/termination', 'withholdingTermination', true, {
    zh: '解约成功',
    en: 'Terminated',
  }),
  SendDisc: op('SendDisc', '/api/app/bankWithholding/sendDisc', 'withholdingSendDisc', true),
  BackDisc: op('BackDisc', '/api/app/bankWithholding/backDisc', 'withholdingBackDisc', true),
  CancelDisc: op('CancelDisc', '/api/app/bankWithholding/cancelDisc', 'withholdingCancelDisc', true),
  DiscQuery: op('DiscQuery', '/api/app/bankWithholding/discQuery', 'queryDisc', false),
};

function op(tranCode: TranCode, path: string, operationId: string, stateChanging: boolean, successMessage = SUCCESS): OperationInfo {
  return { tranCode, path, operationId, stateChanging, onGateway: true, successMessage };
}

export const GATEWAY_PATH = '/api/app/gateway';
export const PARTNER_PATH_PREFIX = '/api/app/';
/** Body limits (CONTRACT §10): 64 KiB, 16 MiB on PayCheck's own path. */
export const BODY_LIMIT = 64 * 1024;
export const PAYCHECK_BODY_LIMIT = 16 * 1024 * 1024;

export function isTranCode(value: string): value is TranCode {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, value);
}

export const PARTNER_OPERATION = Symbol('partner-operation');

export interface PartnerOperationMeta {
  tranCode: TranCode | 'gateway';
  /** The request class the message binds to. */
  request?: new () => object;
  /** false keeps the handler out of the gateway's dispatch (a second handler of a TranCode at another path). */
  gateway?: boolean;
}

/** Marks a controller method as a partner operation handled by the envelope pipeline. */
export const PartnerOperation = (tranCode: TranCode, request: new () => object, options: { gateway?: boolean } = {}) =>
  SetMetadata(PARTNER_OPERATION, { tranCode, request, gateway: options.gateway ?? true } satisfies PartnerOperationMeta);
