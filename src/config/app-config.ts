import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type DatabaseEngine = 'sqlite' | 'postgres';

/** The validated, typed configuration every module reads; built once at boot from the environment. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly database: {
    readonly engine: DatabaseEngine;
    readonly url: string;
    /** File path for SQLite; undefined on PostgreSQL. */
    readonly sqlitePath?: string;
    readonly sqliteSync: 'FULL' | 'NORMAL';
  };
  readonly redisUrl?: string;
  readonly adminToken: string;
  readonly adminTokenGenerated: boolean;
  readonly demoData: boolean;
  readonly demoApiKey?: string;
  readonly demoEncKey?: string;
  readonly businessTz: string;
  readonly secretKey: Buffer;
  readonly secretKeySource: 'env' | 'file-created' | 'file';
  readonly withholdCron: string;
  readonly docsEnabled: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const APP_CONFIG = Symbol('APP_CONFIG');

const DEFAULT_DATABASE_URL = 'sqlite:./data/gateway.sqlite';

function parseBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function parseDatabase(raw: string | undefined): Pick<AppConfig['database'], 'engine' | 'url' | 'sqlitePath'> {
  const url = raw && raw.trim() !== '' ? raw.trim() : DEFAULT_DATABASE_URL;
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/gateway.sqlite');
    return { engine: 'sqlite', url, sqlitePath: path === ':memory:' ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      const parsed = new URL(url);
      if (!parsed.hostname) throw new Error('no host');
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { engine: 'postgres', url };
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres://');
}

function decodeSecretKey(name: string, raw: string): Buffer {
  const trimmed = raw.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== 32) {
    throw new ConfigError(name, 'must be 32 bytes in standard base64 (e.g. `openssl rand -base64 32`)');
  }
  return key;
}

function resolveSecretKey(
  env: NodeJS.ProcessEnv,
  production: boolean,
  sqlitePath: string | undefined,
): Pick<AppConfig, 'secretKey' | 'secretKeySource'> {
  const raw = env.SECRET_KEY;
  if (raw !== undefined && raw.trim() !== '') return { secretKey: decodeSecretKey('SECRET_KEY', raw), secretKeySource: 'env' };
  if (production) throw new ConfigError('SECRET_KEY', 'is required when NODE_ENV=production');
  if (!sqlitePath || sqlitePath === ':memory:') {
    throw new ConfigError('SECRET_KEY', 'is required unless the embedded SQLite file database is used');
  }
  // The embedded default keeps its key beside the database so restarts can read what they stored.
  const keyFile = join(dirname(sqlitePath), 'secret.key');
  if (existsSync(keyFile)) {
    return { secretKey: decodeSecretKey(`SECRET_KEY (from ${keyFile})`, readFileSync(keyFile, 'utf8')), secretKeySource: 'file' };
  }
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { secretKey: key, secretKeySource: 'file-created' };
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  const portRaw = env.PORT ?? '3000';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw) || port < 0 || port > 65535) throw new ConfigError('PORT', `expected 0-65535, got "${portRaw}"`);

  const db = parseDatabase(env.DATABASE_URL);
  const sqliteSyncRaw = (env.SQLITE_SYNC ?? 'FULL').toUpperCase();
  if (sqliteSyncRaw !== 'FULL' && sqliteSyncRaw !== 'NORMAL') {
    throw new ConfigError('SQLITE_SYNC', `expected FULL or NORMAL, got "${env.SQLITE_SYNC}"`);
  }

  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://');

  let adminToken = env.ADMIN_TOKEN?.trim() ?? '';
  let adminTokenGenerated = false;
  if (adminToken === '') {
    if (production) throw new ConfigError('ADMIN_TOKEN', 'is required when NODE_ENV=production');
    adminToken = randomBytes(24).toString('base64url');
    adminTokenGenerated = true;
  } else if (adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters');
  }

  const businessTz = env.BUSINESS_TZ?.trim() || 'Asia/Shanghai';
  if (!isValidTimeZone(businessTz)) throw new ConfigError('BUSINESS_TZ', `unknown time zone "${businessTz}"`);

  const demoEncKey = env.DEMO_ENC_KEY?.trim() || undefined;
  if (demoEncKey) decodeSecretKey('DEMO_ENC_KEY', demoEncKey);
  const demoApiKey = env.DEMO_API_KEY?.trim() || undefined;
  if (demoApiKey !== undefined && demoApiKey.length < 16) throw new ConfigError('DEMO_API_KEY', 'must be at least 16 characters');

  const withholdCron = env.WITHHOLD_CRON === undefined ? '0 6 * * *' : env.WITHHOLD_CRON.trim();
  if (withholdCron !== '' && withholdCron.split(/\s+/).length < 5) {
    throw new ConfigError('WITHHOLD_CRON', `expected a cron expression like "0 6 * * *", got "${withholdCron}"`);
  }

  return {
    nodeEnv,
    port,
    database: { ...db, sqliteSync: sqliteSyncRaw },
    redisUrl,
    adminToken,
    adminTokenGenerated,
    demoData: parseBoolean('DEMO_DATA', env.DEMO_DATA, true),
    demoApiKey,
    demoEncKey,
    businessTz,
    ...resolveSecretKey(env, production, db.sqlitePath),
    withholdCron,
    docsEnabled: parseBoolean('DOCS_ENABLED', env.DOCS_ENABLED, true),
  };
}
