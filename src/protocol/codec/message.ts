import type { Fen } from '../../common/fen';
import type { JsonNumber } from './json-number';

export type MessageFormat = 'XML' | 'JSON';

/** The encodings a partner message may use; GB2312 and GB18030 requests are answered as GBK. */
export type MessageCharset = 'GBK' | 'UTF-8';

/** A decoded request field: XML gives only strings, objects and lists; JSON may also give numbers, booleans and null. */
export type MessageValue = string | JsonNumber | boolean | null | MessageValue[] | MessageObject;

export interface MessageObject {
  [name: string]: MessageValue;
}

export interface DecodedMessage {
  fields: MessageObject;
  /** The encoding to answer in: the request's own for XML, always UTF-8 for JSON. */
  charset: MessageCharset;
}

/** A response field; `null` and `undefined` fields are left out of the message. */
export type ResponseValue = string | number | Fen | boolean | null | undefined | ResponseValue[] | ResponseMessage;

export interface ResponseMessage {
  [name: string]: ResponseValue;
}

/** Levels of nesting a request may have, counting the top object (or `<in>`) as 1. */
export const MAX_MESSAGE_DEPTH = 16;

/**
 * Elements (XML, counting `<in>`) or values (JSON: every object, array, string, number and literal) a request
 * may hold. §4's largest lists, 1,000 items of at most eight fields, come to about 9,000; only PayCheck's 16 MiB
 * path could carry more, and there the cap keeps a hostile body's parse to milliseconds instead of seconds.
 */
export const MAX_MESSAGE_NODES = 20_000;
