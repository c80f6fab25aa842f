import { MessageFormatError } from './message-format.error';

/** `<?xml version="1.x" encoding="…" standalone="…"?>`; only its ASCII form, which GBK and UTF-8 share. */
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])(?<encoding>[A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/;

/** A declaration never needs this much; the cap keeps the sniff cheap on any body. */
const DECLARATION_MAX_LENGTH = 512;

export interface XmlDeclaration {
  /** Length in characters (equal to bytes: the declaration is ASCII). */
  length: number;
  encoding?: string;
}

/** Reads the leading XML declaration, if any, from text or from the first bytes of a body. */
export function readXmlDeclaration(head: string): XmlDeclaration | undefined {
  if (!/^<\?xml[ \t\r\n?]/.test(head)) return undefined;
  const match = XML_DECLARATION.exec(head.slice(0, DECLARATION_MAX_LENGTH));
  if (!match) throw new MessageFormatError('XML declaration is malformed');
  return { length: match[0].length, encoding: match.groups?.encoding };
}
