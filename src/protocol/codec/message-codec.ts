import { decodeJsonMessage } from './json-decoder';
import { encodeJsonMessage } from './json-encoder';
import type { DecodedMessage, MessageCharset, MessageFormat, ResponseMessage } from './message';
import { REQUEST_ROOT, decodeXmlMessage } from './xml-decoder';
import { RESPONSE_ROOT, encodeXmlMessage } from './xml-encoder';

/**
 * Decodes a partner request body into its field tree. Every way a body can be wrong throws MessageFormatError
 * (→ PRM3001); nothing a partner sends makes it throw anything else, recurse deeply or run for long.
 * `contentTypeCharset` is the `charset` parameter of Content-Type; for XML the declaration takes precedence.
 */
export function decodeMessage(format: MessageFormat, body: Buffer, contentTypeCharset?: string): DecodedMessage {
  switch (format) {
    case 'XML':
      return decodeXmlMessage(body, contentTypeCharset);
    case 'JSON':
      return decodeJsonMessage(body, contentTypeCharset);
  }
}

/** Encodes a response (`<out>` in XML). JSON is always UTF-8, whatever `charset` says. */
export function encodeMessage(format: MessageFormat, message: ResponseMessage, charset: MessageCharset = 'UTF-8'): Buffer {
  return encodeEnvelope(format, message, charset, RESPONSE_ROOT);
}

/** Encodes a message we send as a request (`<in>` in XML), e.g. a debit batch delivered to a bank as `SendDisc`. */
export function encodeRequestMessage(format: MessageFormat, message: ResponseMessage, charset: MessageCharset = 'UTF-8'): Buffer {
  return encodeEnvelope(format, message, charset, REQUEST_ROOT);
}

function encodeEnvelope(format: MessageFormat, message: ResponseMessage, charset: MessageCharset, root: string): Buffer {
  switch (format) {
    case 'XML':
      return encodeXmlMessage(message, charset, root);
    case 'JSON':
      return encodeJsonMessage(message);
  }
}

/** The Content-Type of an encoded message. */
export function contentTypeFor(format: MessageFormat, charset: MessageCharset = 'UTF-8'): string {
  switch (format) {
    case 'XML':
      return `application/xml; charset=${charset}`;
    case 'JSON':
      return 'application/json; charset=utf-8';
  }
}
