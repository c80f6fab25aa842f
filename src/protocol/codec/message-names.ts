import { MessageFormatError } from './message-format.error';

/** Names that would reach an object's prototype machinery if they ever became property keys. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Lists whose items are not named `Item` in XML (contract §3/§4). */
export const LIST_ITEM_NAMES: Readonly<Record<string, string>> = Object.freeze({ Bills: 'Bill' });

export const DEFAULT_LIST_ITEM_NAME = 'Item';

/** The XML element name of each item of the list `listName`. */
export function listItemNameFor(listName: string): string {
  return Object.hasOwn(LIST_ITEM_NAMES, listName) ? LIST_ITEM_NAMES[listName] : DEFAULT_LIST_ITEM_NAME;
}

export function assertAllowedName(name: string, kind: 'element' | 'key'): void {
  if (FORBIDDEN_NAMES.has(name)) throw new MessageFormatError(`${kind} ${name} is not allowed`);
}

/** A partner-supplied name fit to quote back in an error message, or a neutral placeholder. */
export function quotableName(name: string): string {
  return /^[A-Za-z0-9_.:-]{1,40}$/.test(name) ? name : '(unnamed)';
}
