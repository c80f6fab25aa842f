import type { LimitOverride } from '../../reference/entities/limit-override.entity';
import type { TranCode } from '../partner-operation';

/** Fixed windows: minutes and hours aligned to the epoch, days are calendar days in BUSINESS_TZ (CONTRACT §9). */
export type LimitWindow = 'minute' | 'hour' | 'day';

/** The message field a per-key limit counts by, always together with the InstId. */
export type LimitKeyField = 'BillKey' | 'OriginalTranSeq' | 'AgreementNo';

export interface PerKeyLimit {
  readonly limit: number;
  readonly window: LimitWindow;
  readonly keyField: LimitKeyField;
}

export interface PerInstLimit {
  readonly limit: number;
  readonly window: LimitWindow;
}

export interface OperationLimits {
  readonly perKey?: PerKeyLimit;
  readonly perInst: PerInstLimit;
}

/** An institution's override as the admin API stores it: null keeps the default. */
export type LimitOverrideValues = Pick<LimitOverride, 'perKey' | 'perInst'>;

const OTHERS: OperationLimits = { perInst: { limit: 600, window: 'minute' } };

/** CONTRACT §9, the defaults before any per-institution override. */
export const PARTNER_LIMITS: Readonly<Record<TranCode, OperationLimits>> = {
  Query: { perKey: { limit: 10, window: 'minute', keyField: 'BillKey' }, perInst: { limit: 1000, window: 'minute' } },
  Pay: { perKey: { limit: 5, window: 'minute', keyField: 'BillKey' }, perInst: { limit: 500, window: 'minute' } },
  PayInvalid: { perKey: { limit: 1, window: 'minute', keyField: 'OriginalTranSeq' }, perInst: { limit: 100, window: 'minute' } },
  PayQuery: OTHERS,
  PayCheck: OTHERS,
  Signing: { perKey: { limit: 5, window: 'day', keyField: 'BillKey' }, perInst: { limit: 50, window: 'minute' } },
  AgreementQuery: OTHERS,
  Termination: { perKey: { limit: 1, window: 'day', keyField: 'AgreementNo' }, perInst: { limit: 20, window: 'minute' } },
  SendDisc: { perInst: { limit: 10, window: 'hour' } },
  BackDisc: OTHERS,
  CancelDisc: OTHERS,
  DiscQuery: OTHERS,
};

/**
 * The limits that apply to one institution: the override's numbers replace the defaults' `limit`s,
 * windows and key fields never change, and a `perKey` override is ignored where the operation has none.
 * An unknown TranCode gets the "others" rule rather than no limit at all.
 */
export function effectiveLimits(tranCode: TranCode, override?: LimitOverrideValues | null): OperationLimits {
  const defaults = Object.prototype.hasOwnProperty.call(PARTNER_LIMITS, tranCode) ? PARTNER_LIMITS[tranCode] : OTHERS;
  if (!override) return defaults;
  const perKey = defaults.perKey && { ...defaults.perKey, limit: overriddenLimit(override.perKey, defaults.perKey.limit) };
  const perInst = { ...defaults.perInst, limit: overriddenLimit(override.perInst, defaults.perInst.limit) };
  return perKey ? { perKey, perInst } : { perInst };
}

/** A stored value that is not a non-negative integer cannot be a limit; the default stays rather than no limit. */
function overriddenLimit(value: number | null | undefined, fallback: number): number {
  return value != null && Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}
