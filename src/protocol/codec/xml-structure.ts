import { MAX_MESSAGE_DEPTH, MAX_MESSAGE_NODES } from './message';
import { MessageFormatError } from './message-format.error';

const XML_WHITESPACE_ONLY = /^[ \t\r\n]*$/;

/** Whitespace followed by anything inside a start tag means an attribute. */
const ATTRIBUTE_IN_TAG = /[ \t\r\n][^ \t\r\n]/;

/** The only references XML defines without a DTD; sax would also expand HTML names such as `&nbsp;`. */
const UNDEFINED_REFERENCE = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)/;

const notWellFormed = (): MessageFormatError => new MessageFormatError('XML is not well-formed');

/**
 * One linear pass over the document before the parser sees it, so that hostile shapes fail fast and cheaply:
 * nesting deeper than the limit (a 16 MiB tower of tags never reaches xml2js), more elements than a request may
 * hold (millions of tiny elements would keep xml2js busy for seconds), attributes, undefined entity
 * references, a second root, and text outside the root — which xml2js would silently ignore once the root
 * has closed. It assumes DOCTYPEs and processing instructions were refused already. Well-formedness in
 * every other respect is left to the parser. Returns the number of elements, the root included.
 */
export function scanXmlStructure(xml: string, start: number): number {
  let depth = 0;
  let elements = 0;
  let rootClosed = false;
  let i = start;
  while (i < xml.length) {
    const tagStart = xml.indexOf('<', i);
    const textEnd = tagStart === -1 ? xml.length : tagStart;
    if (textEnd > i) {
      const text = xml.slice(i, textEnd);
      if (depth === 0) {
        if (!XML_WHITESPACE_ONLY.test(text))
          throw new MessageFormatError(rootClosed ? 'content after the root element' : 'text before the root element');
      } else if (UNDEFINED_REFERENCE.test(text)) {
        throw new MessageFormatError('undefined entity reference');
      }
    }
    if (tagStart === -1) break;

    if (xml.startsWith('<!--', tagStart)) {
      i = endOf(xml, '-->', tagStart + 4);
    } else if (xml.startsWith('<![CDATA[', tagStart)) {
      if (depth === 0) throw notWellFormed();
      i = endOf(xml, ']]>', tagStart + 9);
    } else if (xml.startsWith('<!', tagStart) || xml.startsWith('<?', tagStart)) {
      throw notWellFormed();
    } else if (xml.startsWith('</', tagStart)) {
      depth -= 1;
      if (depth < 0) throw notWellFormed();
      if (depth === 0) rootClosed = true;
      i = endOf(xml, '>', tagStart + 2);
    } else {
      if (depth === 0 && rootClosed) throw new MessageFormatError('more than one root element');
      elements += 1;
      if (elements > MAX_MESSAGE_NODES) throw new MessageFormatError(`more than ${MAX_MESSAGE_NODES} elements`);
      const tagEnd = xml.indexOf('>', tagStart + 1);
      if (tagEnd === -1) throw notWellFormed();
      const selfClosing = xml.charCodeAt(tagEnd - 1) === 0x2f;
      // A `>` inside a quoted attribute value ends the tag early here, but that tag is refused for its attribute anyway.
      if (ATTRIBUTE_IN_TAG.test(xml.slice(tagStart + 1, selfClosing ? tagEnd - 1 : tagEnd))) {
        throw new MessageFormatError('attributes are not allowed');
      }
      if (selfClosing) {
        if (depth === 0) rootClosed = true;
      } else {
        depth += 1;
        if (depth > MAX_MESSAGE_DEPTH) throw new MessageFormatError(`nesting deeper than ${MAX_MESSAGE_DEPTH}`);
      }
      i = tagEnd + 1;
    }
  }
  if (!rootClosed || depth !== 0) throw notWellFormed();
  return elements;
}

function endOf(xml: string, terminator: string, from: number): number {
  const at = xml.indexOf(terminator, from);
  if (at === -1) throw notWellFormed();
  return at + terminator.length;
}
