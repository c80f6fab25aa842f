import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const base = () => ({ DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, SECRET_KEY: KEY });

  it('applies the documented defaults', () => {
    const config = loadConfig(base());
    expect(config).toMatchObject({
      port: 3000,
      database: { engine: 'sqlite', sqliteSync: 'FULL' },
      demoData: true,
      businessTz: 'Asia/Shanghai',
      withholdCron: '0 6 * * *',
      docsEnabled: true,
      adminTokenGenerated: true,
    });
    expect(config.redisUrl).toBeUndefined();
  });

  it('recognises PostgreSQL URLs', () => {
    expect(loadConfig({ ...base(), DATABASE_URL: 'postgres://u:p@db.internal:5432/gw' }).database.engine).toBe('postgres');
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['DATABASE_URL', 'postgres://'],
    ['SQLITE_SYNC', 'OFF'],
    ['REDIS_URL', 'localhost:6379'],
    ['ADMIN_TOKEN', 'short'],
    ['BUSINESS_TZ', 'Mars/Olympus'],
    ['SECRET_KEY', 'not-base64!'],
    ['SECRET_KEY', Buffer.alloc(16).toString('base64')],
    ['DEMO_ENC_KEY', Buffer.alloc(31).toString('base64')],
    ['DEMO_DATA', 'maybe'],
    ['DOCS_ENABLED', 'yes please'],
    ['WITHHOLD_CRON', 'daily'],
  ])('refuses %s=%p with an error naming it', (variable, value) => {
    expect(() => loadConfig({ ...base(), [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base(), [variable]: value })).toThrow(new RegExp(`^${variable}`));
  });

  it('requires SECRET_KEY and ADMIN_TOKEN in production', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/gw', NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(20) })).toThrow(
      /^SECRET_KEY/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/gw', NODE_ENV: 'production', SECRET_KEY: KEY })).toThrow(/^ADMIN_TOKEN/);
  });

  it('generates SECRET_KEY beside the embedded database once and reuses it', () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'data', 'db.sqlite')}` };
    const first = loadConfig(env);
    expect(first.secretKeySource).toBe('file-created');
    expect(first.secretKey).toHaveLength(32);
    expect(readFileSync(join(dir, 'data', 'secret.key'), 'utf8').trim()).toBe(first.secretKey.toString('base64'));
    const second = loadConfig(env);
    expect(second.secretKeySource).toBe('file');
    expect(second.secretKey.equals(first.secretKey)).toBe(true);
  });

  it('does not generate SECRET_KEY for PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/gw' })).toThrow(/^SECRET_KEY/);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  });

  it('disables the debit schedule with an empty WITHHOLD_CRON', () => {
    expect(loadConfig({ ...base(), WITHHOLD_CRON: '' }).withholdCron).toBe('');
  });
});
