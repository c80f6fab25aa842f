import { INestApplication, Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { messageFieldsOf } from '../protocol/message-fields';
import { GATEWAY_PATH, OPERATIONS, PARTNER_OPERATION, PartnerOperationMeta, TranCode } from '../protocol/partner-operation';
import { PROTOCOL_NOTES } from '../protocol/protocol-notes';
import { OPERATION_DOCS } from './partner-operation-docs';
import {
  operationFacts,
  PARTNER_HEADERS,
  PARTNER_PARAMETERS,
  partnerOperation,
  responseCodeTable,
  SECURITY_SCHEMES,
  toJsonExample,
  xmlRequestExample,
} from './partner-openapi';
import { partnerSchemas } from './partner-schemas';

/** A handler marked with @PartnerOperation (or the gateway), where Nest serves it. */
export interface DiscoveredPartnerOperation {
  tranCode: TranCode | 'gateway';
  request?: Type;
  path: string;
}

const GATEWAY_TAG = '统一网关 Gateway';
/** Where a partner operation is listed when its controller names no tag. */
const TAG_OF: Record<TranCode, string> = {
  Query: '账单管理',
  Pay: '账单管理',
  PayInvalid: '账单管理',
  PayQuery: '账单管理',
  PayCheck: '对账管理',
  Signing: '代扣管理',
  AgreementQuery: '代扣管理',
  Termination: '代扣管理',
  SendDisc: '代扣管理',
  BackDisc: '代扣管理',
  CancelDisc: '代扣管理',
  DiscQuery: '代扣管理',
};

const TAGS = [
  { name: '账单管理', description: '账单查询、缴费(销账)、红冲与缴费查询 — bill query, payment, reversal, payment query' },
  { name: '代扣管理', description: '代扣签约、协议查询、解约、送盘、回盘、取消代扣与批次查询 — withholding agreements and debit batches' },
  { name: '对账管理', description: '缴费对账 — daily reconciliation (CONTRACT §8)' },
  { name: GATEWAY_TAG, description: 'One path for every operation but PayCheck, dispatched on TranCode' },
];

function joinPath(...parts: (string | undefined)[]): string {
  const joined = parts
    .filter((part): part is string => typeof part === 'string' && part !== '' && part !== '/')
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .join('/');
  return `/${joined}`;
}

/** Every partner handler of the running app, from the same metadata the pipeline and the gateway dispatch on. */
export function discoverPartnerOperations(app: INestApplication): DiscoveredPartnerOperation[] {
  const discovery = app.get(DiscoveryService);
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const found: DiscoveredPartnerOperation[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as Type | undefined;
    if (!type?.prototype) continue;
    const prototype = type.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const method = prototype[name] as object;
      const meta = reflector.get<PartnerOperationMeta | undefined>(PARTNER_OPERATION, method as never);
      if (!meta) continue;
      const controllerPaths = [Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined].flat();
      const methodPaths = [Reflect.getMetadata(PATH_METADATA, method) as string | string[] | undefined].flat();
      for (const controllerPath of controllerPaths) {
        for (const methodPath of methodPaths)
          found.push({ tranCode: meta.tranCode, request: meta.request, path: joinPath(controllerPath, methodPath) });
      }
    }
  }
  return found;
}

function schemaName(type: Type | undefined): string {
  if (!type) throw new Error('a partner operation without a request class cannot be documented');
  return type.name;
}

const AMOUNT_PATTERN = '^\\d{1,13}(\\.\\d{1,2})?$';
const SIGNED_AMOUNT_PATTERN = '^-?\\d{1,13}(\\.\\d{1,2})?$';

/** Field kinds the binder enforces (message-fields.ts), which the class's @ApiProperty cannot say: integers, amounts, XML lists. */
function refineFields(type: Type, schemas: Record<string, SchemaObject>, done: Set<string>): void {
  const schema = schemas[type.name];
  if (!schema?.properties || done.has(type.name)) return;
  done.add(type.name);
  const properties = schema.properties as Record<string, SchemaObject>;
  for (const spec of messageFieldsOf(type)) {
    const property = properties[spec.property];
    if (!property) continue;
    switch (spec.kind) {
      case 'integer':
        properties[spec.property] = {
          description: `${property.description ?? ''} (a JSON number or a numeric string)`,
          example: property.example as unknown,
          anyOf: [
            { ...withoutDocs(property), type: 'integer' },
            { type: 'string', pattern: '^\\d{1,9}$' },
          ],
        };
        break;
      case 'amount':
        properties[spec.property] = {
          description: `${property.description ?? ''} (yuan, > 0, at most two decimals; a JSON number or string)`,
          example: property.example as unknown,
          anyOf: [
            { type: 'string', pattern: AMOUNT_PATTERN },
            { type: 'number', minimum: 0.01, maximum: 9999999999999.99 },
          ],
        };
        break;
      case 'signedAmount':
        properties[spec.property] = {
          description: `${property.description ?? ''} (yuan, may be zero or negative, at most two decimals; a JSON number or string)`,
          example: property.example as unknown,
          anyOf: [
            { type: 'string', pattern: SIGNED_AMOUNT_PATTERN },
            { type: 'number', minimum: -9999999999999.99, maximum: 9999999999999.99 },
          ],
        };
        break;
      case 'list': {
        properties[spec.property] = { ...property, xml: { wrapped: true } };
        const item = spec.item?.() as Type | undefined;
        if (item && schemas[item.name]) {
          schemas[item.name].xml = { name: 'Item' };
          refineFields(item, schemas, done);
        }
        break;
      }
      case 'text':
        break;
    }
  }
}

/** A property's validation rules without its documentation (which moves up to the anyOf). */
function withoutDocs(schema: SchemaObject): SchemaObject {
  const rules = { ...schema };
  delete rules.description;
  delete rules.example;
  delete rules.type;
  return rules;
}

/** The request schemas as the `<in>` message: the root name, each TranCode fixed, and the binder's field rules. */
function refineRequestSchemas(document: OpenAPIObject, operations: DiscoveredPartnerOperation[]): void {
  const schemas = document.components?.schemas as Record<string, SchemaObject>;
  const done = new Set<string>();
  for (const operation of operations) {
    if (operation.tranCode === 'gateway' || !operation.request) continue;
    const schema = schemas[schemaName(operation.request)];
    schema.xml = { name: 'in' };
    const properties = schema.properties as Record<string, SchemaObject>;
    properties.TranCode = { ...properties.TranCode, enum: [operation.tranCode], example: operation.tranCode };
    if (operation.tranCode === 'PayInvalid') {
      properties.TranSeq = {
        ...properties.TranSeq,
        maxLength: 37,
        description: `${properties.TranSeq.description ?? ''}; at most 37 on PayInvalid, so that REV + TranSeq fits 40`,
      };
    }
    refineFields(operation.request, schemas, done);
  }
}

function describeOperation(tranCode: TranCode, generated: OperationObject | undefined): string {
  return [OPERATION_DOCS[tranCode].description, generated?.description, operationFacts(tranCode)].filter(Boolean).join('\n\n');
}

function gatewayDescription(tranCodes: TranCode[]): string {
  const rows = tranCodes.map((tranCode) => `| \`${tranCode}\` | ${OPERATION_DOCS[tranCode].summary} | \`${OPERATIONS[tranCode].path}\` |`);
  return [
    '统一入口: accepts any operation but PayCheck and dispatches on `TranCode` (missing: PRM3002; unknown or PayCheck: PRM3004). ' +
      'Everything else — checks, idempotency, rate limits, answers — is exactly that of the operation on its own path.',
    ['| TranCode | 交易 | own path |', '|---|---|---|', ...rows].join('\n'),
  ].join('\n\n');
}

const DOCUMENT_DESCRIPTION = `Partner API (银行/代收机构接口) for banks and collecting agents, and the admin API for the utility staff.

**Trying it here**: *Authorize* with the institution's API key (ApiKeyAuth; under \`npm start\` the demo institution \`00001\` has the key
printed at the first start, or \`DEMO_API_KEY\`), then *Try it out*: the examples work on the demo data as written (TranDate is today's
business date). XML examples come in GBK, as banks send them, and in UTF-8 — Swagger UI sends text as UTF-8, so pick the UTF-8 one for a
message with Chinese text. The admin API authorizes with the bearer token \`ADMIN_TOKEN\` (AdminBearer).

**Messages** (CONTRACT §3): JSON objects, or XML with root \`<in>\` (requests) and \`<out>\` (answers), one element per field, lists as
\`<List><Item>…\` (\`<Bills><Bill>…\`). Every request carries \`Version\` 1.0.1, \`InstId\`, \`TranCode\`, \`TranDate\` (YYYYMMDD within one
day of the business date) and \`TranSeq\`; every answer echoes them with \`RespCode\`, \`RespMessage\`, and \`Data\` on success or
\`ErrorDetail\` on an error. Amounts are yuan with two decimals.

### Status and response codes
${responseCodeTable()}
${PROTOCOL_NOTES}`;

/**
 * The OpenAPI document of the running app: Nest's scan of the admin and ops controllers, and every partner operation
 * rebuilt from the registry (OPERATIONS) and its request class — XML and JSON examples, the headers of §2, the
 * security schemes and every response of §10 — so an operation added with @PartnerOperation is documented too.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const operations = discoverPartnerOperations(app);
  const requestTypes = [...new Set(operations.map((operation) => operation.request).filter((type): type is Type => !!type))];
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Utility bank interface 银行代收代扣接口')
      .setDescription(DOCUMENT_DESCRIPTION)
      .setVersion('1.0.1')
      .addServer('/', 'This service')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' }, 'AdminBearer')
      .build(),
    { extraModels: requestTypes },
  );
  const components = (document.components ??= {});
  components.schemas = { ...components.schemas, ...partnerSchemas() };
  components.securitySchemes = { ...components.securitySchemes, ...SECURITY_SCHEMES };
  components.parameters = { ...components.parameters, ...PARTNER_PARAMETERS };
  components.headers = { ...components.headers, ...PARTNER_HEADERS };
  refineRequestSchemas(document, operations);

  const requestSchemaOf = new Map<TranCode, string>();
  for (const operation of operations) {
    if (operation.tranCode === 'gateway') continue;
    const tranCode = operation.tranCode;
    if (!requestSchemaOf.has(tranCode) || operation.path === OPERATIONS[tranCode].path)
      requestSchemaOf.set(tranCode, schemaName(operation.request));
    const generated = document.paths[operation.path]?.post;
    const own = operation.path === OPERATIONS[tranCode].path;
    document.paths[operation.path] = {
      ...document.paths[operation.path],
      post: partnerOperation({
        tranCodes: [tranCode],
        operationId: own
          ? OPERATIONS[tranCode].operationId
          : `${OPERATIONS[tranCode].operationId}${operation.path.replace(/[^A-Za-z0-9]+/g, '_')}`,
        tags: generated?.tags?.length ? generated.tags : [TAG_OF[tranCode]],
        summary: OPERATION_DOCS[tranCode].summary,
        description: describeOperation(tranCode, generated),
        requestSchema: () => schemaName(operation.request),
      }),
    };
  }
  if (operations.some((operation) => operation.tranCode === 'gateway')) {
    const served = (Object.keys(OPERATIONS) as TranCode[]).filter(
      (tranCode) => OPERATIONS[tranCode].onGateway && requestSchemaOf.has(tranCode),
    );
    document.paths[GATEWAY_PATH] = {
      post: partnerOperation({
        tranCodes: served,
        operationId: 'gateway',
        tags: [GATEWAY_TAG],
        summary: '统一网关',
        description: gatewayDescription(served),
        requestSchema: (tranCode) => requestSchemaOf.get(tranCode)!,
      }),
    };
  }

  documentAdminTransport(document, requestSchemaOf);
  // Health, metrics: no credentials (stated, so that every operation says what it needs).
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.post, item.put, item.delete, item.patch])
      if (operation && !operation.security) operation.security = [];
  }
  document.tags = [...TAGS, ...(document.tags ?? [])];
  return document;
}

/** Admin operations whose answer is a partner message (a batch delivered to the bank as SendDisc), where Nest's scan has no schema. */
const ADMIN_PARTNER_MESSAGES: Record<string, TranCode> = { adminDeliverDebitBatch: 'SendDisc' };

/**
 * What every admin route answers besides its own responses, from the admin HTTP layer (body parser, filter): a
 * malformed (400), oversized (413) or non-JSON (415) body where a body is taken, and 500 for anything unexpected.
 */
function documentAdminTransport(document: OpenAPIObject, requestSchemaOf: Map<TranCode, string>): void {
  const error = (description: string): ResponseObject => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/AdminErrorView' } } },
  });
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/admin/')) continue;
    for (const [method, operation] of Object.entries(item) as [string, OperationObject][]) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const responses = operation.responses;
      if (method !== 'get') {
        responses['400'] ??= error('Malformed JSON body');
        responses['413'] ??= error('Body over 1 MiB (10 MiB of CSV)');
        responses['415'] ??= error('A body that is not application/json (text/csv on bills/import)');
      }
      responses['500'] ??= error('Unexpected failure; the details are only in the server log');
      const tranCode = operation.operationId ? ADMIN_PARTNER_MESSAGES[operation.operationId] : undefined;
      const ok = responses['200'] as ResponseObject | undefined;
      const schema = tranCode && requestSchemaOf.get(tranCode);
      if (ok && !ok.content && tranCode && schema) {
        const example = OPERATION_DOCS[tranCode].request;
        ok.content = {
          'application/json': { schema: { $ref: `#/components/schemas/${schema}` }, example: toJsonExample(example) },
          'application/xml': { schema: { $ref: `#/components/schemas/${schema}` }, example: xmlRequestExample(example, 'UTF-8') },
        };
      }
    }
  }
}

/** The served document with today's business date in every request example, so "Try it out" passes the TranDate check. */
export function withTranDate(document: OpenAPIObject, tranDate: string): OpenAPIObject {
  const text = JSON.stringify(document)
    .replace(/"TranDate":"\d{8}"/g, `"TranDate":"${tranDate}"`)
    .replace(/<TranDate>\d{8}<\/TranDate>/g, `<TranDate>${tranDate}</TranDate>`);
  return JSON.parse(text) as OpenAPIObject;
}
