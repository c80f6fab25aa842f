import { MessageFormatError } from './message-format.error';

/**
 * Characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). Rejected in JSON
 * too, so a message means the same in both formats and no NUL or broken UTF-16 reaches the database.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const NON_XML_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Surrogate}/u;

export function assertAllowedText(text: string): void {
  if (NON_XML_CHARACTER.test(text)) throw new MessageFormatError('message contains a forbidden control character');
}
