export { FixedWindows, type WindowSpan } from './fixed-window';
export {
  effectiveLimits,
  PARTNER_LIMITS,
  type LimitKeyField,
  type LimitOverrideValues,
  type LimitWindow,
  type OperationLimits,
  type PerInstLimit,
  type PerKeyLimit,
} from './partner-limits';
export {
  PARTNER_RATE_LIMIT_STORAGE,
  PartnerRateLimiter,
  rateLimitHeaders,
  type RateLimitDecision,
  type RateLimitHeaders,
} from './partner-rate-limiter';
export { createRateLimitStorage, ThrottlingModule } from './throttling.module';
