import 'reflect-metadata';
import { ValidateNested, validateSync, ValidationError } from 'class-validator';
import { Fen } from '../common/fen';
import { JsonNumber, MessageObject, MessageValue } from './codec';
import { ProtocolError, RespCode } from './errors';
import { rememberValidationMetadata } from './validation-metadata-memo';

rememberValidationMetadata();

type FieldKind = 'text' | 'amount' | 'signedAmount' | 'integer' | 'list';

interface FieldSpec {
  property: string;
  kind: FieldKind;
  required: boolean;
  item?: () => new () => object;
}

const FIELDS = Symbol('partner-message-fields');

function declare(spec: Omit<FieldSpec, 'property'>): PropertyDecorator {
  return (target, property) => {
    const own = (Reflect.getOwnMetadata(FIELDS, target) as FieldSpec[] | undefined) ?? [
      ...((Reflect.getMetadata(FIELDS, target) as FieldSpec[] | undefined) ?? []),
    ];
    Reflect.defineMetadata(FIELDS, [...own, { ...spec, property: String(property) }], target);
  };
}

/** A string field (codes, numbers-as-text); a JSON number here is a bad field. */
export const TextField = (options: { optional?: boolean } = {}) => declare({ kind: 'text', required: !options.optional });
/**
 * Yuan: a JSON number or string, or XML text, `^\d{1,13}(\.\d{1,2})?$` and > 0; bound as Fen. `signed` also
 * takes zero and a leading minus (net sums such as PayCheck's PayMoney).
 */
export const AmountField = (options: { optional?: boolean; signed?: boolean } = {}) =>
  declare({ kind: options.signed ? 'signedAmount' : 'amount', required: !options.optional });
/** An integer: a JSON number or a numeric string; bound as number. */
export const IntegerField = (options: { optional?: boolean } = {}) => declare({ kind: 'integer', required: !options.optional });
/** A list of nested messages (XML `<List><Item>…`); the items' own rules are checked too. */
export const ListField = (item: () => new () => object, options: { optional?: boolean } = {}): PropertyDecorator => {
  const field = declare({ kind: 'list', required: !options.optional, item });
  const nested = ValidateNested({ each: true });
  return (target, property) => {
    field(target, property);
    nested(target, property);
  };
};

export function messageFieldsOf(type: new () => object): FieldSpec[] {
  return (Reflect.getMetadata(FIELDS, type.prototype as object) as FieldSpec[] | undefined) ?? [];
}

const AMOUNT = /^\d{1,13}(\.\d{1,2})?$/;
const SIGNED_AMOUNT = /^-?\d{1,13}(\.\d{1,2})?$/;
const INTEGER = /^\d{1,9}$/;

function missing(path: string): ProtocolError {
  return new ProtocolError(RespCode.PRM3002, { zh: `缺少字段${path}`, en: `missing field ${path}` });
}

function bad(path: string, zh: string, en: string): ProtocolError {
  return new ProtocolError(RespCode.PRM3003, { zh: `字段${path}${zh}`, en: `field ${path} ${en}` });
}

function isAbsent(value: MessageValue | undefined): value is undefined | null | '' {
  return value === undefined || value === null || value === '';
}

function bindValue(spec: FieldSpec, value: MessageValue, path: string): unknown {
  switch (spec.kind) {
    case 'text':
      if (typeof value !== 'string') throw bad(path, '须为字符串', 'must be a string');
      return value;
    case 'amount': {
      const raw = value instanceof JsonNumber ? value.raw : value;
      const fen = typeof raw === 'string' && AMOUNT.test(raw) ? Fen.parseYuan(raw) : null;
      if (!fen || !fen.isPositive()) throw bad(path, '金额格式错误', 'must be an amount in yuan, > 0, at most two decimals');
      return fen;
    }
    case 'signedAmount': {
      const raw = value instanceof JsonNumber ? value.raw : value;
      const fen = typeof raw === 'string' && SIGNED_AMOUNT.test(raw) ? Fen.parseYuan(raw, { allowNegative: true }) : null;
      if (!fen) throw bad(path, '金额格式错误', 'must be an amount in yuan, at most two decimals');
      return fen;
    }
    case 'integer': {
      const raw = value instanceof JsonNumber ? value.raw : value;
      if (typeof raw !== 'string' || !INTEGER.test(raw)) throw bad(path, '须为整数', 'must be a non-negative integer');
      return Number(raw);
    }
    case 'list': {
      if (!Array.isArray(value)) throw bad(path, '须为列表', 'must be a list');
      return value.map((item, index) => {
        const itemPath = `${path}[${index + 1}]`;
        if (typeof item !== 'object' || item === null || Array.isArray(item) || item instanceof JsonNumber) {
          throw bad(itemPath, '须为对象', 'must be an object');
        }
        return bindFields(spec.item!(), item, `${itemPath}.`);
      });
    }
  }
}

function bindFields<T extends object>(type: new () => T, fields: MessageObject, prefix: string): T {
  const target = new type() as Record<string, unknown>;
  for (const spec of messageFieldsOf(type)) {
    const value = Object.prototype.hasOwnProperty.call(fields, spec.property) ? fields[spec.property] : undefined;
    const path = `${prefix}${spec.property}`;
    if (isAbsent(value)) {
      if (spec.required) throw missing(path);
      continue;
    }
    target[spec.property] = bindValue(spec, value, path);
  }
  return target as T;
}

function firstViolation(errors: ValidationError[], prefix = ''): { path: string; message: string } | null {
  for (const error of errors) {
    const path = `${prefix}${error.property}`;
    if (error.constraints) return { path, message: Object.values(error.constraints)[0] };
    const nested = firstViolation(
      error.children ?? [],
      /^\d+$/.test(error.property) ? `${prefix.replace(/\.$/, '')}[${Number(error.property) + 1}].` : `${path}.`,
    );
    if (nested) return nested;
  }
  return null;
}

/**
 * Binds a decoded message to its request class: missing required fields are PRM3002, wrongly typed or
 * out-of-rule values PRM3003 (class-validator rules on the class), the first in declaration order answering.
 * Fields the class does not declare are ignored.
 */
export function bindMessage<T extends object>(type: new () => T, fields: MessageObject): T {
  const bound = bindFields(type, fields, '');
  // An absent optional field has no value to check (a missing required one was PRM3002 above): @Max on an absent SubChannel must pass.
  const violation = firstViolation(
    validateSync(bound, { forbidUnknownValues: false, stopAtFirstError: true, skipUndefinedProperties: true }),
  );
  if (violation) throw bad(violation.path, `不符合要求: ${violation.message}`, `is invalid: ${violation.message}`);
  return bound;
}
