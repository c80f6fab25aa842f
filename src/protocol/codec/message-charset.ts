import * as iconv from 'iconv-lite';
import { isAscii } from 'node:buffer';
import type { MessageCharset } from './message';
import { MessageFormatError } from './message-format.error';
import { quotableName } from './message-names';

type Decoder = 'utf-8' | 'gbk' | 'gb18030';

interface ResolvedCharset {
  decoder: Decoder;
  charset: MessageCharset;
}

/** GB2312 is a subset of GBK and declared by many bank systems that really send GBK, so it is read as GBK. */
const CHARSETS: ReadonlyMap<string, ResolvedCharset> = new Map([
  ['UTF-8', { decoder: 'utf-8', charset: 'UTF-8' }],
  ['UTF8', { decoder: 'utf-8', charset: 'UTF-8' }],
  ['GBK', { decoder: 'gbk', charset: 'GBK' }],
  ['GB2312', { decoder: 'gbk', charset: 'GBK' }],
  ['GB18030', { decoder: 'gb18030', charset: 'GBK' }],
]);

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Maps an encoding label (XML declaration or Content-Type charset) to its decoder; anything else is refused. */
export function resolveCharset(label: string): ResolvedCharset {
  const name = label.trim().replace(/^"(.*)"$/, '$1');
  const resolved = CHARSETS.get(name.toUpperCase());
  if (!resolved) throw new MessageFormatError(`encoding ${quotableName(name)} is not supported`);
  return resolved;
}

export function startsWithUtf8Bom(body: Buffer): boolean {
  return body.subarray(0, UTF8_BOM.length).equals(UTF8_BOM);
}

/** Strict UTF-8: any invalid byte sequence is refused rather than replaced; a leading BOM is dropped. */
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8Decoder.decode(body);
  } catch {
    throw new MessageFormatError('invalid UTF-8');
  }
}

export function decodeText(body: Buffer, decoder: Decoder): string {
  if (decoder === 'utf-8') return decodeUtf8(body);
  // GBK and GB18030 are ASCII below 0x80: most requests (codes, numbers, dates) need no table look-ups.
  if (isAscii(body)) return body.toString('latin1');
  const text = iconv.decode(body, decoder);
  // iconv-lite turns invalid sequences into U+FFFD; a genuine U+FFFD (GB18030 only) re-encodes to the same bytes.
  if (text.includes('\uFFFD') && !iconv.encode(text, decoder).equals(body)) {
    throw new MessageFormatError(`invalid ${decoder.toUpperCase()}`);
  }
  return text;
}
