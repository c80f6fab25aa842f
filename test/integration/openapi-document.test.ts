import * as iconv from 'iconv-lite';
import request from 'supertest';
import { DemoDataService } from '../../src/demo/demo-data.service';
import { decodeMessage, JsonNumber, MessageValue } from '../../src/protocol/codec';
import { GATEWAY_PATH, OPERATIONS, TranCode } from '../../src/protocol/partner-operation';
import { OpenApiContract, OpenApiDocument } from '../support/openapi-validation';
import { openResponse, sendPartner, TODAY } from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

const DEMO_API_KEY = 'demo-openapi-key-0123456789';
const STATUSES = ['200', '400', '401', '408', '413', '415', '429', '500'];
const TRAN_CODES = Object.keys(OPERATIONS) as TranCode[];

interface Example {
  summary?: string;
  value: unknown;
}
interface Media {
  schema: object;
  example?: unknown;
  examples?: Record<string, Example>;
}
interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters: { $ref: string }[];
  requestBody: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media>; headers?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string; description?: string }>;
    parameters: Record<string, { name: string; in: string }>;
  };
}

const partnerOperation = (doc: Document, tranCode: TranCode): Operation => doc.paths[OPERATIONS[tranCode].path].post;

/** Every example of a media type, named or single. */
function examplesOf(media: Media): Example[] {
  return media.examples ? Object.values(media.examples) : media.example === undefined ? [] : [{ value: media.example }];
}

/** A decoded message with every scalar as its text, so JSON and XML examples compare. */
function textTree(value: MessageValue): unknown {
  if (value instanceof JsonNumber) return value.raw;
  if (Array.isArray(value)) return value.map(textTree);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, textTree(v)]));
  return String(value);
}

/** The seeds' own examples (seeds/000 PayInvalid, seeds/003 Termination), with today's TranDate. */
const SEEDS = {
  PayInvalid: {
    summary: '账单红冲',
    tag: '账单管理',
    description: '对已缴费的账单进行红冲(撤销)操作。\n## 业务说明\n- 支持对已缴费账单进行红冲操作',
    limits: '## 调用频率限制\n- 单个交易流水号每分钟最多红冲1次\n- 单个机构每分钟最多红冲100次',
    request: () => ({
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'PayInvalid',
      TranDate: TODAY(),
      TranSeq: '123456789013',
      OriginalTranSeq: 'TXN123456789012',
      BillKey: '123456',
      CompanyId: '654321',
    }),
    response: () => ({
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'PayInvalidRes',
      TranDate: TODAY(),
      TranSeq: '123456789013',
      RespCode: 'AAAAAAA',
      RespMessage: '红冲成功',
      Data: {
        Transaction: {
          TranSeq: 'REV123456789013',
          BillKey: '123456',
          CompanyId: '654321',
          TranCode: 'PayInvalid',
          PayAmount: -150.0,
          PayDate: '2024-01-01T12:00:00.000Z',
          TranStatus: 1,
          RespCode: 'AAAAAAA',
          RespMessage: '成功',
        },
      },
    }),
  },
  Termination: {
    summary: '代扣解约',
    tag: '代扣管理',
    description: '银行代扣业务解约接口,终止客户与银行的代扣协议。\n## 业务说明\n- 支持客户解除与银行的代扣协议',
    limits: '## 调用频率限制\n- 单个协议号每天最多解约1次\n- 单个机构每分钟最多解约20次',
    request: () => ({
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'Termination',
      TranDate: TODAY(),
      TranSeq: '123456789015',
      BillKey: '123456',
      CompanyId: '654321',
      AgreementNo: 'AGR001',
    }),
    response: () => ({
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'TerminationRes',
      TranDate: TODAY(),
      TranSeq: '123456789015',
      RespCode: 'AAAAAAA',
      RespMessage: '解约成功',
      Data: {
        Agreement: { BillKey: '123456', CompanyId: '654321', AgreementNo: 'AGR001', AgreementStatus: 2, TerminationDate: '2024-01-01' },
      },
    }),
  },
} as const;

describe('the OpenAPI document served at /docs-json', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY });
    doc = (
      await request(t.http)
        .get('/docs-json')
        .expect(200)
        .expect('Content-Type', /application\/json/)
    ).body as Document;
  });

  afterAll(async () => {
    await t.close();
  });

  it('documents every partner operation of CONTRACT §1 at its path with its operationId, and the gateway', () => {
    for (const tranCode of TRAN_CODES) {
      const operation = partnerOperation(doc, tranCode);
      expect({ tranCode, operationId: operation.operationId }).toEqual({ tranCode, operationId: OPERATIONS[tranCode].operationId });
      expect(operation.security).toEqual([{ ApiKeyAuth: [] }, { ApiKeyAuth: [], EncryptedData: [] }]);
      expect(operation.tags.length).toBe(1);
      expect(operation.description).toContain(`\`${tranCode}\` → \`${tranCode}Res\``);
    }
    expect(partnerOperation(doc, 'Query').tags).toEqual(['账单管理']);
    expect(partnerOperation(doc, 'Signing').tags).toEqual(['代扣管理']);
    expect(partnerOperation(doc, 'PayCheck').tags).toEqual(['对账管理']);
    const gateway = doc.paths[GATEWAY_PATH].post;
    expect(gateway.operationId).toBe('gateway');
    const served = Object.keys(gateway.requestBody.content['application/json'].examples ?? {});
    expect(served).toEqual(TRAN_CODES.filter((tranCode) => tranCode !== 'PayCheck'));
  });

  it.each(Object.entries(SEEDS))('carries the %s seed: tag, summary, description and examples', (tranCode, seed) => {
    const operation = partnerOperation(doc, tranCode as TranCode);
    expect(operation.tags).toEqual([seed.tag]);
    expect(operation.summary).toBe(seed.summary);
    expect(operation.description.startsWith(seed.description)).toBe(true);
    expect(operation.description).toContain(seed.limits);
    expect(operation.requestBody.content['application/json'].example).toEqual(seed.request());
    const ok = operation.responses['200'];
    expect(examplesOf(ok.content!['application/json'])[0].value).toEqual(seed.response());
    const xml = examplesOf(ok.content!['application/xml'])[0].value as string;
    expect(xml.startsWith('<?xml version="1.0" encoding="GBK"?>\n<out>')).toBe(true);
    expect(xml).toContain(`<RespMessage>${seed.response().RespMessage}</RespMessage>`);
  });

  it('gives each request body in JSON first, then XML (<in>, GBK as banks send it, and UTF-8), then encrypted', () => {
    for (const tranCode of TRAN_CODES) {
      const content = partnerOperation(doc, tranCode).requestBody.content;
      expect(Object.keys(content)).toEqual(['application/json', 'application/xml', 'text/plain']);
      const json = content['application/json'].example as Record<string, unknown>;
      expect(json).toMatchObject({ Version: '1.0.1', InstId: '00001', TranCode: tranCode, TranDate: TODAY() });
      const [gbk, utf8] = examplesOf(content['application/xml']).map((e) => e.value as string);
      expect(gbk.startsWith('<?xml version="1.0" encoding="GBK"?>\n<in>')).toBe(true);
      expect(utf8.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<in>')).toBe(true);
      // The XML examples are the JSON example's message: the service's decoder reads both to the same fields.
      const fromJson = textTree(decodeMessage('JSON', Buffer.from(JSON.stringify(json))).fields);
      expect(textTree(decodeMessage('XML', iconv.encode(gbk, 'gbk')).fields)).toEqual(fromJson);
      expect(textTree(decodeMessage('XML', Buffer.from(utf8, 'utf8')).fields)).toEqual(fromJson);
    }
  });

  it('documents the headers of §2 and the security schemes ApiKeyAuth and EncryptedData', () => {
    const names = partnerOperation(doc, 'Query').parameters.map((p) => doc.components.parameters[p.$ref.split('/').pop()!].name);
    expect(names).toEqual(expect.arrayContaining(['Content-Type', 'X-Data-Type', 'X-Encrypt-Type', 'X-Encrypt-Mode', 'X-Request-Id']));
    expect(doc.components.securitySchemes.ApiKeyAuth).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
    expect(doc.components.securitySchemes.EncryptedData.description).toMatch(/Optional body encryption.*SM4.*AES/s);
    expect(doc.components.securitySchemes.AdminBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every response of §10 with example bodies, application/json first', () => {
    for (const tranCode of TRAN_CODES) {
      const responses = partnerOperation(doc, tranCode).responses;
      expect(Object.keys(responses)).toEqual(STATUSES);
      for (const status of STATUSES) {
        const content = responses[status].content!;
        expect(Object.keys(content)[0]).toBe('application/json');
        expect(examplesOf(content['application/json']).length).toBeGreaterThan(0);
        expect(responses[status].headers).toHaveProperty('X-Request-Id');
      }
      const business = Object.keys(responses['400'].content!['application/json'].examples!);
      expect(business).toEqual(expect.arrayContaining(['DEF0001', 'PRM3001', 'PRM3002', 'PRM3003', 'PRM3004', 'PRM3005', 'PRM3006']));
      const security = Object.keys(responses['401'].content!['application/json'].examples!);
      expect(security).toEqual(['SEC2001', 'SEC2002', 'SEC2003', 'SEC2004', 'SEC2005', 'SEC2006']);
      expect(Object.keys(responses['429'].headers!)).toContain('Retry-After');
    }
    expect(Object.keys(partnerOperation(doc, 'Pay').responses['400'].content!['application/json'].examples!)).toEqual(
      expect.arrayContaining(['DEF0001', 'DEF0002', 'DEF0003', 'DEF0009', 'DEF0012']),
    );
  });

  it('gives only JSON examples that conform to their schemas', () => {
    const contract = new OpenApiContract(doc as unknown as OpenApiDocument);
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const media = [
          ['request', operation.requestBody?.content?.['application/json']],
          ...Object.entries(operation.responses ?? {}).map(([status, response]) => [status, response.content?.['application/json']]),
        ] as [string, Media | undefined][];
        for (const [where, content] of media) {
          for (const example of content ? examplesOf(content) : []) {
            for (const problem of contract.validateValue(content!.schema, structuredClone(example.value)))
              problems.push(`${method} ${path} ${where} ${example.summary ?? ''}: ${problem}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents the admin API behind AdminBearer, and health and metrics without credentials', () => {
    const admin = Object.entries(doc.paths).filter(([path]) => path.startsWith('/admin/v1/'));
    expect(admin.length).toBeGreaterThan(10);
    for (const [, item] of admin) for (const operation of Object.values(item)) expect(operation.security).toEqual([{ AdminBearer: [] }]);
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics']) expect(doc.paths[path].get.security).toEqual([]);
  });

  describe('"Try it out": every request example works as written on the demo data', () => {
    /** Sends an operation's served JSON example to its path as Swagger UI would. */
    async function tryExample(app: TestApp, served: Document, tranCode: TranCode) {
      const example = partnerOperation(served, tranCode).requestBody.content['application/json'].example as Record<string, string>;
      const res = await sendPartner(app.http, OPERATIONS[tranCode].path, example, { apiKey: DEMO_API_KEY });
      return { status: res.status, message: openResponse(res).message };
    }

    it('runs them in a sensible order: query, pay, sign, debit, reverse, terminate, reconcile', async () => {
      await t.app.get(DemoDataService).loadIfEmpty();
      const order: TranCode[] = [
        'Query',
        'Pay',
        'PayQuery',
        'Signing',
        'AgreementQuery',
        'SendDisc',
        'DiscQuery',
        'BackDisc',
        'PayInvalid',
        'Termination',
        'PayCheck',
      ];
      for (const tranCode of order) {
        const { status, message } = await tryExample(t, doc, tranCode);
        expect({ tranCode, status, code: message.RespCode, detail: message.ErrorDetail }).toEqual({
          tranCode,
          status: 200,
          code: 'AAAAAAA',
          detail: undefined,
        });
      }
    });

    it('cancels a debit of a batch just sent (CancelDisc)', async () => {
      const other = await createTestApp({ DEMO_API_KEY });
      try {
        await other.app.get(DemoDataService).loadIfEmpty();
        for (const tranCode of ['SendDisc', 'CancelDisc'] as const) {
          const { status, message } = await tryExample(other, doc, tranCode);
          expect({ tranCode, status, code: message.RespCode }).toEqual({ tranCode, status: 200, code: 'AAAAAAA' });
        }
      } finally {
        await other.close();
      }
    });
  });
});
