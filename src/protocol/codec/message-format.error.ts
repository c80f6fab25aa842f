/**
 * The only error a partner body can provoke while it is decoded; callers answer it with PRM3001.
 * Its message is short, English and safe to show the partner: it never echoes more than a sanitized name.
 */
export class MessageFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageFormatError';
  }
}
