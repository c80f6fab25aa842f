export { JsonNumber } from './json-number';
export { MessageFormatError } from './message-format.error';
export { LIST_ITEM_NAMES } from './message-names';
export {
  MAX_MESSAGE_DEPTH,
  type DecodedMessage,
  type MessageCharset,
  type MessageFormat,
  type MessageObject,
  type MessageValue,
  type ResponseMessage,
  type ResponseValue,
} from './message';
export { contentTypeFor, decodeMessage, encodeMessage, encodeRequestMessage } from './message-codec';
