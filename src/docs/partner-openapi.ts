import type {
  ExampleObject,
  HeaderObject,
  MediaTypeObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
  SecurityRequirementObject,
  SecuritySchemeObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import * as iconv from 'iconv-lite';
import { Fen } from '../common/fen';
import { encodeMessage, encodeRequestMessage, ResponseMessage, ResponseValue } from '../protocol/codec';
import { httpStatusOf, messageOf, RespCode } from '../protocol/errors';
import { OPERATIONS, TranCode } from '../protocol/partner-operation';
import { PARTNER_LIMITS, type LimitWindow, type OperationLimits } from '../protocol/throttling';
import { ERROR_EXAMPLE_MESSAGES, OPERATION_DOCS } from './partner-operation-docs';
import { codesOfStatus, ERROR_RESPONSES, ref, Schema, successSchemaName } from './partner-schemas';

export const API_KEY_SCHEME = 'ApiKeyAuth';
export const ENCRYPTION_SCHEME = 'EncryptedData';

export const SECURITY_SCHEMES: Record<string, SecuritySchemeObject> = {
  [API_KEY_SCHEME]: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
    description:
      "The institution's API key, issued by the admin API with its payload secret (shown once). It identifies the institution: " +
      'InstId must be that institution (SEC2004). Missing: SEC2002; unknown or revoked: SEC2003. Under `npm start` the demo ' +
      'institution 00001 has the key printed at the first start (or DEMO_API_KEY).',
  },
  [ENCRYPTION_SCHEME]: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Encrypt-Type',
    description:
      'Optional body encryption (CONTRACT §5) with the 32-byte secret issued with the API key: `X-Encrypt-Type` SM4, AES or 3DES ' +
      '(legacy, only when enabled for the institution), `X-Encrypt-Mode` CBC or GCM (default CBC for SM4/3DES, GCM for AES), ' +
      '`X-Data-Type` XML or JSON, `Content-Type: text/plain`, body = base64 of the ciphertext. AES/GCM: `iv(12) ‖ ciphertext ‖ tag(16)`; ' +
      'SM4/CBC: `Ke` = first 16 bytes of HMAC-SM3(K,"enc"), `Km` = HMAC-SM3(K,"mac"), `iv(16) ‖ ciphertext ‖ HMAC-SM3(Km, iv ‖ ciphertext)`; ' +
      'AES/CBC and 3DES/CBC likewise with HMAC-SHA256. Any decryption or integrity failure is SEC2001, an unsupported pair SEC2005, ' +
      'plaintext to an institution that requires encryption SEC2006. Answers come encrypted the same way with a fresh IV, except ' +
      'security errors. Swagger UI cannot encrypt: try operations in the clear.',
  },
};

/** Every partner operation: the API key, alone or with an encrypted body. */
export const PARTNER_SECURITY: SecurityRequirementObject[] = [{ [API_KEY_SCHEME]: [] }, { [API_KEY_SCHEME]: [], [ENCRYPTION_SCHEME]: [] }];

const parameterRef = (name: string): ReferenceObject => ({ $ref: `#/components/parameters/${name}` });
const headerRef = (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

/** The request headers of CONTRACT §2 besides X-Api-Key (a security scheme). */
export const PARTNER_PARAMETERS: Record<string, ParameterObject> = {
  ContentTypeHeader: {
    name: 'Content-Type',
    in: 'header',
    required: false,
    description:
      '传输格式: `application/xml` or `text/xml` (GBK or UTF-8, from the XML declaration, else the charset parameter, else UTF-8), ' +
      '`application/json`, `text/plain` for an encrypted body. Anything else is 415 PRM3008. (Set from the request body in Swagger UI.)',
    schema: { type: 'string', enum: ['application/xml', 'text/xml', 'application/json', 'text/plain'] },
  },
  DataTypeHeader: {
    name: 'X-Data-Type',
    in: 'header',
    required: false,
    description: '业务报文格式 after decryption: required when encrypted (else 415); must agree with Content-Type when not encrypted',
    schema: { type: 'string', enum: ['XML', 'JSON'] },
  },
  EncryptTypeHeader: {
    name: 'X-Encrypt-Type',
    in: 'header',
    required: false,
    description: '报文加密算法 (CONTRACT §5); default NONE. 3DES is legacy, refused (SEC2005) unless enabled for the institution',
    schema: { type: 'string', enum: ['NONE', 'SM4', 'AES', '3DES'], default: 'NONE' },
  },
  EncryptModeHeader: {
    name: 'X-Encrypt-Mode',
    in: 'header',
    required: false,
    description: '加密模式: default CBC for SM4 and 3DES, GCM for AES. SM4/GCM and any other pair is SEC2005',
    schema: { type: 'string', enum: ['CBC', 'GCM'] },
  },
  RequestIdHeader: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: '请求号, echoed on the response and in the log; ≤ 64 characters of `[A-Za-z0-9._-]`, else a new UUID is generated',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
  },
  AcceptLanguageHeader: {
    name: 'Accept-Language',
    in: 'header',
    required: false,
    description: 'RespMessage and ErrorMsg are Chinese; `en` gives English',
    schema: { type: 'string', example: 'zh-CN' },
  },
};

export const PARTNER_HEADERS: Record<string, HeaderObject> = {
  ContentType: {
    description: '`application/json`, `application/xml; charset=GBK|UTF-8` (the request encoding), or `text/plain` when encrypted',
    schema: { type: 'string' },
  },
  RequestId: { description: 'The request id (X-Request-Id of the request, else generated)', required: true, schema: { type: 'string' } },
  ResponseTime: { description: 'Processing time, e.g. `12.34ms`', required: true, schema: { type: 'string', example: '12.34ms' } },
  RateLimitLimit: {
    description: 'The binding rate limit (throttled operations, once the rate-limit step is reached)',
    schema: { type: 'integer' },
  },
  RateLimitRemaining: { description: 'Requests left in the current window of that limit', schema: { type: 'integer' } },
  RateLimitReset: { description: 'Seconds until that window ends', schema: { type: 'integer' } },
  RetryAfter: { description: 'Whole seconds until the window ends (≥ 1)', required: true, schema: { type: 'integer', minimum: 1 } },
  IdempotentReplayed: {
    description: '`true` when the answer is the stored answer of an earlier identical request (nothing was changed)',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** Examples hold amounts as numbers (two decimals are lost in JSON documents); XML examples keep the wire text. */
export function toJsonExample(value: ResponseValue): unknown {
  if (value instanceof Fen) return Number(value.toYuan());
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined).map(toJsonExample);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== null && field !== undefined)
        .map(([name, field]) => [name, toJsonExample(field)]),
    );
  }
  return value;
}

/** Our encoder's output, one element per line: the bytes are what the service writes, the layout is for reading. */
export function prettyXml(xml: string): string {
  const tokens = xml.match(/<[^>]+>|[^<]+/g) ?? [];
  const lines: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const indent = '  '.repeat(depth);
    if (token.startsWith('<?')) {
      lines.push(token);
    } else if (token.startsWith('</')) {
      depth -= 1;
      lines.push('  '.repeat(depth) + token);
    } else if (tokens[i + 1] !== undefined && !tokens[i + 1].startsWith('<') && tokens[i + 2]?.startsWith('</')) {
      lines.push(indent + token + tokens[i + 1] + tokens[i + 2]);
      i += 2;
    } else if (tokens[i + 1]?.startsWith('</')) {
      lines.push(indent + token + tokens[i + 1]);
      i += 1;
    } else {
      lines.push(indent + token);
      depth += 1;
    }
  }
  return lines.join('\n');
}

function xmlText(bytes: Buffer, charset: 'GBK' | 'UTF-8'): string {
  return prettyXml(charset === 'GBK' ? iconv.decode(bytes, 'gbk') : bytes.toString('utf8'));
}

export const xmlRequestExample = (message: ResponseMessage, charset: 'GBK' | 'UTF-8') =>
  xmlText(encodeRequestMessage('XML', message, charset), charset);
export const xmlResponseExample = (message: ResponseMessage, charset: 'GBK' | 'UTF-8' = 'GBK') =>
  xmlText(encodeMessage('XML', message, charset), charset);

/** Codes answered before the message could be read: their answers echo nothing. */
const UNREAD_CODES: ReadonlySet<RespCode> = new Set([
  RespCode.PRM3001,
  RespCode.PRM3007,
  RespCode.PRM3008,
  RespCode.SEC2001,
  RespCode.SEC2002,
  RespCode.SEC2003,
  RespCode.SEC2005,
  RespCode.SEC2006,
]);

export function successMessage(tranCode: TranCode): ResponseMessage {
  const docs = OPERATION_DOCS[tranCode];
  const request = docs.request;
  return {
    Version: request.Version,
    InstId: request.InstId,
    TranCode: `${tranCode}Res`,
    TranDate: request.TranDate,
    TranSeq: request.TranSeq,
    RespCode: RespCode.AAAAAAA,
    RespMessage: OPERATIONS[tranCode].successMessage.zh,
    Data: docs.data,
  };
}

function errorMessage(tranCode: TranCode, code: RespCode): ResponseMessage {
  const request = OPERATION_DOCS[tranCode].request;
  const echo = UNREAD_CODES.has(code)
    ? { Version: request.Version }
    : {
        Version: request.Version,
        InstId: request.InstId,
        TranCode: `${tranCode}Res`,
        TranDate: request.TranDate,
        TranSeq: request.TranSeq,
      };
  return {
    ...echo,
    RespCode: code,
    RespMessage: messageOf(code),
    ErrorDetail: { ErrorCode: code, ErrorMsg: ERROR_EXAMPLE_MESSAGES[code], ErrorTime: '2024-01-01T12:00:00.000Z' },
  };
}

/** The codes each status carries for this operation: its business rules, the format checks, and the rest of §10. */
function codesFor(tranCodes: TranCode[], status: number): RespCode[] {
  if (status !== 400) return codesOfStatus(status);
  const business = new Set(tranCodes.flatMap((tranCode) => OPERATION_DOCS[tranCode].businessCodes));
  return codesOfStatus(400).filter((code) => !code.startsWith('DEF') || business.has(code));
}

/** Which media types each status comes in (CONTRACT §2): 413/415 are always JSON, security errors never encrypted. */
const MEDIA_OF_STATUS: Record<number, ('json' | 'xml' | 'encrypted')[]> = {
  200: ['json', 'xml', 'encrypted'],
  400: ['json', 'xml', 'encrypted'],
  401: ['json', 'xml'],
  408: ['json', 'xml', 'encrypted'],
  413: ['json'],
  415: ['json'],
  429: ['json', 'xml', 'encrypted'],
  500: ['json', 'xml', 'encrypted'],
};

const ENCRYPTED: MediaTypeObject = { schema: ref('EncryptedBody') };

function content(status: number, schema: Schema, json: Record<string, ExampleObject>, xml: Record<string, ExampleObject>) {
  const media: Record<string, MediaTypeObject> = {};
  for (const kind of MEDIA_OF_STATUS[status]) {
    if (kind === 'json') media['application/json'] = { schema, examples: json };
    if (kind === 'xml') media['application/xml'] = { schema, examples: xml };
    if (kind === 'encrypted') media['text/plain'] = ENCRYPTED;
  }
  return media;
}

function responseHeaders(status: number, stateChanging: boolean): Record<string, ReferenceObject> {
  const headers: Record<string, ReferenceObject> = {
    'Content-Type': headerRef('ContentType'),
    'X-Request-Id': headerRef('RequestId'),
    'X-Response-Time': headerRef('ResponseTime'),
  };
  if (status === 200 || status === 400 || status === 429) {
    headers['X-RateLimit-Limit'] = headerRef('RateLimitLimit');
    headers['X-RateLimit-Remaining'] = headerRef('RateLimitRemaining');
    headers['X-RateLimit-Reset'] = headerRef('RateLimitReset');
  }
  if (status === 429) headers['Retry-After'] = headerRef('RetryAfter');
  if (stateChanging && (status === 200 || status === 400)) headers['Idempotent-Replayed'] = headerRef('IdempotentReplayed');
  return headers;
}

/** One schema, or one per TranCode told apart by the TranCode field (`Query` in a request, `QueryRes` in an answer). */
function oneOrMany(tranCodes: TranCode[], schemaOf: (tranCode: TranCode) => string, tranCodeValue: (tranCode: TranCode) => string): Schema {
  if (tranCodes.length === 1) return ref(schemaOf(tranCodes[0]));
  return {
    oneOf: tranCodes.map((tranCode) => ref(schemaOf(tranCode))),
    discriminator: {
      propertyName: 'TranCode',
      mapping: Object.fromEntries(tranCodes.map((tranCode) => [tranCodeValue(tranCode), ref(schemaOf(tranCode)).$ref])),
    },
  };
}

/** Every response of §10 the operations can give, with an example body per RespCode in JSON and XML. */
export function partnerResponses(tranCodes: TranCode[]): Record<string, ResponseObject> {
  const stateChanging = tranCodes.some((tranCode) => OPERATIONS[tranCode].stateChanging);
  const single = tranCodes.length === 1;
  const successJson: Record<string, ExampleObject> = {};
  const successXml: Record<string, ExampleObject> = {};
  for (const tranCode of tranCodes) {
    const message = successMessage(tranCode);
    const summary = `${tranCode}: ${OPERATION_DOCS[tranCode].summary}${OPERATIONS[tranCode].successMessage.zh === '成功' ? '成功' : ''}`;
    successJson[tranCode] = { summary, value: toJsonExample(message) };
    successXml[tranCode] = { summary, value: xmlResponseExample(message) };
  }
  const responses: Record<string, ResponseObject> = {
    '200': {
      description: single ? OPERATIONS[tranCodes[0]].successMessage.zh : '成功 (the answer of the operation named by TranCode)',
      headers: responseHeaders(200, stateChanging),
      content: content(
        200,
        oneOrMany(tranCodes, successSchemaName, (tranCode) => `${tranCode}Res`),
        successJson,
        successXml,
      ),
    },
  };
  for (const { status, schema, description } of ERROR_RESPONSES) {
    const json: Record<string, ExampleObject> = {};
    const xml: Record<string, ExampleObject> = {};
    for (const code of codesFor(tranCodes, status)) {
      const message = errorMessage(tranCodes[0], code);
      const summary = `${code} ${messageOf(code)}`;
      json[code] = { summary, value: toJsonExample(message) };
      xml[code] = { summary, value: xmlResponseExample(message) };
    }
    responses[String(status)] = {
      description,
      headers: responseHeaders(status, stateChanging),
      content: content(status, ref(schema), json, xml),
    };
  }
  return responses;
}

/** The request body: JSON first (CONTRACT §11), then XML (`<in>`, GBK as banks send it, and UTF-8), then the encrypted form. */
export function partnerRequestBody(tranCodes: TranCode[], schemaOf: (tranCode: TranCode) => string) {
  const json: Record<string, ExampleObject> = {};
  const gbk: Record<string, ExampleObject> = {};
  const utf8: Record<string, ExampleObject> = {};
  for (const tranCode of tranCodes) {
    const { request, summary } = OPERATION_DOCS[tranCode];
    json[tranCode] = { summary: `${tranCode} ${summary}`, value: toJsonExample(request) };
    gbk[`${tranCode}-GBK`] = { summary: `${tranCode} ${summary} (GBK, as banks send it)`, value: xmlRequestExample(request, 'GBK') };
    utf8[`${tranCode}-UTF8`] = {
      summary: `${tranCode} ${summary} (UTF-8: Swagger UI sends text as UTF-8)`,
      value: xmlRequestExample(request, 'UTF-8'),
    };
  }
  const schema = oneOrMany(tranCodes, schemaOf, (tranCode) => tranCode);
  const single = tranCodes.length === 1;
  const jsonMedia: MediaTypeObject = single ? { schema, example: json[tranCodes[0]].value as unknown } : { schema, examples: json };
  return {
    required: true,
    description: single ? `${OPERATION_DOCS[tranCodes[0]].summary}请求数据` : '任一交易的请求数据 (dispatched on TranCode)',
    content: {
      'application/json': jsonMedia,
      'application/xml': { schema, examples: { ...gbk, ...utf8 } },
      'text/plain': ENCRYPTED,
    },
  };
}

const WINDOW_ZH: Record<LimitWindow, string> = { minute: '每分钟', hour: '每小时', day: '每天' };
const KEY_ZH: Record<string, string> = { BillKey: '客户编号', OriginalTranSeq: '原交易流水号', AgreementNo: '协议号' };

function limitsText(limits: OperationLimits): string {
  const lines: string[] = [];
  if (limits.perKey) {
    const { limit, window, keyField } = limits.perKey;
    lines.push(
      `- ${limit} per ${window} per (InstId, ${keyField}) — 单个${KEY_ZH[keyField] ?? keyField}${WINDOW_ZH[window]}最多${limit}次`,
    );
  }
  const { limit, window } = limits.perInst;
  lines.push(`- ${limit} per ${window} per InstId — 单个机构${WINDOW_ZH[window]}最多${limit}次`);
  return lines.join('\n');
}

/** The facts the code knows: TranCode, idempotency, limits and the codes it answers. */
export function operationFacts(tranCode: TranCode): string {
  const operation = OPERATIONS[tranCode];
  const codes = codesFor([tranCode], 400).concat(...ERROR_RESPONSES.filter((r) => r.status !== 400).map((r) => codesOfStatus(r.status)));
  return [
    `**TranCode** \`${tranCode}\` → \`${tranCode}Res\` · **operationId** \`${operation.operationId}\` · ` +
      (operation.onGateway ? 'also served by `POST /api/app/gateway`' : 'on this path only (not on the gateway)'),
    operation.stateChanging
      ? '**Idempotent** on (InstId, TranSeq): a repeat of the same request replays the stored answer with `Idempotent-Replayed: true` ' +
        'and changes nothing; another request under a used TranSeq is DEF0009.'
      : '**Read-only**: no idempotency record is kept.',
    `**Rate limits** (defaults; overridable per institution):\n${limitsText(PARTNER_LIMITS[tranCode])}`,
    `**RespCodes**: AAAAAAA (200), ${codes.map((code) => `${code} (${httpStatusOf(code)})`).join(', ')}`,
  ].join('\n\n');
}

export interface PartnerOperationSpec {
  tranCodes: TranCode[];
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  requestSchema: (tranCode: TranCode) => string;
}

export function partnerOperation(spec: PartnerOperationSpec): OperationObject {
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    parameters: [
      'ContentTypeHeader',
      'EncryptTypeHeader',
      'EncryptModeHeader',
      'DataTypeHeader',
      'RequestIdHeader',
      'AcceptLanguageHeader',
    ].map(parameterRef),
    requestBody: partnerRequestBody(spec.tranCodes, spec.requestSchema),
    responses: partnerResponses(spec.tranCodes),
    security: PARTNER_SECURITY,
  };
}

/** The §10 table for the document's description, one row per HTTP status. */
export function responseCodeTable(): string {
  const statuses = [...new Set(Object.values(RespCode).map((code) => httpStatusOf(code) as number))].sort((a, b) => a - b);
  const rows = statuses.map((status) => {
    const codes = Object.values(RespCode).filter((code) => (httpStatusOf(code) as number) === status);
    return `| ${status} | ${codes.map((code) => `\`${code}\` ${messageOf(code)}`).join(' · ')} |`;
  });
  return ['| HTTP | RespCode RespMessage |', '|---|---|', ...rows].join('\n');
}

export type { SchemaObject };
