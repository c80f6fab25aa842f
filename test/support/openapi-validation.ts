import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import OpenAPIResponseValidator from 'openapi-response-validator';
import { decodeMessage, JsonNumber, MessageValue } from '../../src/protocol/codec';
import { decodeBody } from '../../src/protocol/crypto';
import type { PartnerRequest } from '../../src/protocol/partner-exchange';

/** The parts of an OpenAPI 3.0 document the checks read. */
interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  discriminator?: { propertyName: string; mapping?: Record<string, string> };
}
interface Header {
  $ref?: string;
  required?: boolean;
}
interface Response {
  $ref?: string;
  headers?: Record<string, Header>;
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  operationId?: string;
  responses: Record<string, Response>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; headers?: Record<string, Header>; responses?: Record<string, Response> };
}

/** One response as it left the server. */
export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
  /** What the protocol layer knew (format, cipher and secret of an encrypted exchange). */
  partner?: PartnerRequest['partner'];
}

export interface ContractViolation {
  operation: string;
  status: number;
  requestId?: string;
  problems: string[];
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const CUSTOM_FORMATS = {
  'date-time': (value: string) => ISO_TIMESTAMP.test(value),
  date: (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value),
  byte: (value: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(value),
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

function mediaTypeOf(contentType: string | string[] | number | undefined): string {
  return String(contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

/**
 * Checks responses against an OpenAPI document: the operation documents the status, the media type and the
 * required headers, and the body matches that media type's schema (validated with openapi-response-validator).
 * XML bodies are read with the service's own decoder and typed by the schema (XML text carries no types);
 * encrypted partner bodies are decrypted with the exchange's cipher and checked against the JSON schema of the answer.
 */
export class OpenApiContract {
  readonly violations: ContractViolation[] = [];
  /** Responses checked, by `METHOD path status`. */
  readonly checked = new Map<string, number>();
  /** Bodies validated against a schema, by how they were read: `application/json`, `application/xml`, `decrypted XML`… */
  readonly bodiesChecked = new Map<string, number>();
  /** Responses to requests the document does not describe (unknown paths, other methods): nothing to check them against. */
  readonly undocumented = new Map<string, number>();
  private readonly routes: { method: string; template: string; pattern: RegExp; operation: Operation }[];
  private readonly validators = new Map<string, OpenAPIResponseValidator>();

  /**
   * `successDataUnchecked`: the app serves test-double operations (echo controllers) whose `Data` is made up — and
   * may be replayed on other paths by idempotency — so success answers are checked without their `Data`.
   */
  constructor(
    readonly document: OpenApiDocument,
    private readonly options: { successDataUnchecked?: boolean } = {},
  ) {
    this.routes = Object.entries(document.paths)
      .flatMap(([template, item]) =>
        Object.entries(item)
          .filter(([method]) => HTTP_METHODS.has(method))
          .map(([method, operation]) => ({
            method: method.toUpperCase(),
            template,
            pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
            operation,
          })),
      )
      // Literal paths before templated ones: /admin/v1/reconciliation/checks before …/checks/{id}.
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  }

  /** The problems of one response (empty when it conforms); also recorded in `violations`. */
  check(observed: ObservedResponse): string[] {
    const route = this.routes.find((r) => r.method === observed.method && r.pattern.test(observed.path));
    const key = `${observed.method} ${route?.template ?? observed.path} ${observed.status}`;
    if (!route) {
      this.undocumented.set(key, (this.undocumented.get(key) ?? 0) + 1);
      return [];
    }
    this.checked.set(key, (this.checked.get(key) ?? 0) + 1);
    const problems = this.problemsOf(route.operation, observed);
    if (problems.length > 0) {
      const requestId = observed.headers['x-request-id'];
      this.violations.push({
        operation: `${observed.method} ${observed.path} (${route.operation.operationId ?? route.template})`,
        status: observed.status,
        requestId: typeof requestId === 'string' ? requestId : undefined,
        problems,
      });
    }
    return problems;
  }

  /** A readable account of every violation, for a failing test. */
  report(): string {
    return this.violations
      .map((v) => `${v.operation} → ${v.status}${v.requestId ? ` [request ${v.requestId}]` : ''}\n  - ${v.problems.join('\n  - ')}`)
      .join('\n');
  }

  private problemsOf(operation: Operation, observed: ObservedResponse): string[] {
    const documented = operation.responses[String(observed.status)] ?? operation.responses[`${String(observed.status)[0]}XX`];
    const response = this.deref<Response>(documented ?? operation.responses.default);
    if (!response) return [`status ${observed.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const resolved = this.deref(header) as Header;
      if (resolved.required && observed.headers[name.toLowerCase()] === undefined) problems.push(`required header ${name} is missing`);
    }
    if (observed.method === 'HEAD' || observed.status === 204 || observed.status === 304) return problems;
    const content = response.content ?? {};
    const mediaType = mediaTypeOf(observed.headers['content-type']);
    if (Object.keys(content).length === 0) {
      if (observed.body.length > 0) problems.push(`a ${mediaType || 'untyped'} body where none is documented`);
      return problems;
    }
    const media = content[mediaType];
    if (!media)
      return [...problems, `media type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`];
    let body: unknown;
    let schema = media.schema;
    let checkedAs = mediaType;
    try {
      if (mediaType === 'text/plain' && observed.partner?.suite && observed.partner.secret) {
        // An encrypted partner answer: the documented body is the base64 text; its plaintext is the answer's envelope.
        problems.push(...this.validate(`${observed.status} ${mediaType}`, observed.status, media.schema, observed.body.toString('latin1')));
        const plain = decodeBody(observed.partner.suite, observed.body.toString('latin1'), observed.partner.secret);
        const format = observed.partner.format ?? 'JSON';
        checkedAs = `decrypted ${format}`;
        schema = content['application/json']?.schema;
        body = format === 'XML' ? this.readXml(plain, schema) : JSON.parse(plain.toString('utf8'));
      } else if (mediaType === 'application/json') {
        body = observed.body.length === 0 ? null : JSON.parse(observed.body.toString('utf8'));
      } else if (mediaType === 'application/xml' || mediaType === 'text/xml') {
        body = this.readXml(observed.body, schema);
      } else if (mediaType.startsWith('text/')) {
        body = observed.body.toString('utf8');
      } else {
        return problems;
      }
    } catch (error) {
      return [...problems, `body is not readable as ${checkedAs}: ${(error as Error).message}`];
    }
    if (!schema) return problems;
    if (this.options.successDataUnchecked && observed.status === 200 && body !== null && typeof body === 'object' && 'Data' in body) {
      delete (body as Record<string, unknown>).Data;
      schema = this.withoutData(schema);
    }
    this.bodiesChecked.set(checkedAs, (this.bodiesChecked.get(checkedAs) ?? 0) + 1);
    return [
      ...problems,
      ...this.validate(`${observed.status} ${checkedAs}`, observed.status, schema, body).map((p) => `${checkedAs}: ${p}`),
    ];
  }

  /** The problems of `value` against `schema` (a schema object or a `$ref` into the document), e.g. to check the document's own examples. */
  validateValue(schema: object, value: unknown): string[] {
    return this.validate('value', 200, schema, value);
  }

  private validate(cacheKey: string, status: number, schema: Schema | undefined, body: unknown): string[] {
    if (!schema) return [];
    const key = `${JSON.stringify(schema)} ${cacheKey}`;
    let validator = this.validators.get(key);
    if (!validator) {
      validator = new OpenAPIResponseValidator({
        responses: { [status]: { description: '', content: { 'application/json': { schema } } } } as never,
        components: this.document.components as never,
        customFormats: CUSTOM_FORMATS,
      });
      this.validators.set(key, validator);
    }
    const result = validator.validateResponse(status, body) as { errors: { path?: string; message: string }[] } | undefined;
    return result ? result.errors.map((e) => `${e.path || '(body)'} ${e.message}`) : [];
  }

  private withoutData(schema: Schema): Schema {
    const resolved = this.deref(schema) as Schema & { required?: string[] };
    if (resolved.oneOf) return { oneOf: resolved.oneOf.map((alternative) => this.withoutData(alternative)) };
    const properties = { ...resolved.properties };
    delete properties.Data;
    return { ...resolved, properties, required: resolved.required?.filter((name) => name !== 'Data') } as Schema;
  }

  private deref<T extends { $ref?: string }>(value: T | undefined): T | undefined {
    let current: unknown = value;
    while (current && typeof current === 'object' && '$ref' in current && typeof current.$ref === 'string') {
      const path = current.$ref.replace(/^#\//, '').split('/');
      current = path.reduce<unknown>(
        (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/')],
        this.document,
      );
    }
    return current as T | undefined;
  }

  /** `<out>…</out>` (GBK or UTF-8) read with the service's decoder, its text typed by the schema. */
  private readXml(bytes: Buffer, schema: Schema | undefined): unknown {
    const text = bytes.toString('latin1');
    const match = /^(<\?xml[^?]*\?>)?<(out|in)>/.exec(text);
    if (!match) throw new Error(`root is not <out>: ${text.slice(0, 80)}`);
    // The decoder reads requests (`<in>`); markup is ASCII, so a latin1 round trip keeps GBK text intact.
    const asRequest = text.replace(/^(<\?xml[^?]*\?>)?<out>/, '$1<in>').replace(/<\/out>$/, '</in>');
    const fields = decodeMessage('XML', Buffer.from(asRequest, 'latin1')).fields;
    return this.typed(fields, schema);
  }

  /** XML text as the schema's types: numbers, `''` for an empty list or object; a oneOf picked by its discriminator. */
  private typed(value: MessageValue, schema: Schema | undefined): unknown {
    const candidates = this.candidates(schema, value);
    const types = new Set(candidates.map((c) => c.type));
    if (typeof value === 'string') {
      if ((types.has('number') || types.has('integer')) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
      if (value === '' && types.has('array')) return [];
      if (value === '' && types.has('object')) return {};
      return value;
    }
    if (Array.isArray(value)) {
      const items = candidates.find((c) => c.type === 'array')?.items;
      return value.map((item) => this.typed(item, items));
    }
    if (value !== null && typeof value === 'object' && !(value instanceof JsonNumber)) {
      const properties: Record<string, Schema> = {};
      for (const candidate of candidates)
        for (const [name, property] of Object.entries(candidate.properties ?? {})) properties[name] ??= property;
      return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, this.typed(field, properties[name])]));
    }
    return value;
  }

  private candidates(schema: Schema | undefined, value: MessageValue): Schema[] {
    const resolved = this.deref(schema);
    if (!resolved) return [];
    const alternatives = resolved.oneOf ?? resolved.anyOf;
    if (alternatives && resolved.discriminator && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const tag = (value as Record<string, MessageValue>)[resolved.discriminator.propertyName];
      const target = typeof tag === 'string' ? resolved.discriminator.mapping?.[tag] : undefined;
      if (target) return this.candidates({ $ref: target }, value);
    }
    const nested = [...(alternatives ?? []), ...(resolved.allOf ?? [])].flatMap((s) => this.candidates(s, value));
    return [resolved, ...nested];
  }
}

/**
 * Records every response `server` writes and checks it against `contract` when it is finished: installed first among
 * the server's request listeners, so no response of the app escapes it, whoever sent the request.
 */
export function watchResponses(server: Server, contract: OpenApiContract): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding: unknown) => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as ServerResponse['write'];
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as ServerResponse['end'];
    res.once('finish', () => {
      const request = req as PartnerRequest;
      contract.check({
        method: req.method ?? 'GET',
        path: (request.originalUrl ?? req.url ?? '').split('?')[0],
        status: res.statusCode,
        headers: res.getHeaders(),
        body: Buffer.concat(chunks),
        partner: request.partner,
      });
    });
  });
}
