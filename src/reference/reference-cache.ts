import { Injectable } from '@nestjs/common';

interface Entry<T> {
  value: T;
  expires: number;
}

/** How long a credential or a limit override may be served from memory. */
export const CREDENTIAL_TTL_MS = 2_000;
export const OVERRIDE_TTL_MS = 1_000;

/**
 * A short-lived memory of what every partner request reads: its API key's credentials and its institution's
 * limit overrides. Admin writes on this instance drop the institution's entries once committed, so they take
 * effect on the next request here; other instances see them within the TTL.
 */
@Injectable()
export class ReferenceCache {
  private readonly credentials = new Map<string, Entry<unknown> & { instId: string }>();
  private readonly overrides = new Map<string, Entry<unknown>>();

  async credential<T extends { institution: { instId: string } }>(
    keyHash: string,
    load: (keyHash: string) => Promise<T | null>,
  ): Promise<T | null> {
    const hit = this.credentials.get(keyHash);
    if (hit && hit.expires > Date.now()) return hit.value as T;
    const value = await load(keyHash);
    if (value) this.credentials.set(keyHash, { value, expires: Date.now() + CREDENTIAL_TTL_MS, instId: value.institution.instId });
    else this.credentials.delete(keyHash);
    return value;
  }

  async limitOverrides<T>(instId: string, load: () => Promise<T>): Promise<T> {
    const hit = this.overrides.get(instId);
    if (hit && hit.expires > Date.now()) return hit.value as T;
    const value = await load();
    this.overrides.set(instId, { value, expires: Date.now() + OVERRIDE_TTL_MS });
    return value;
  }

  /** Forgets everything read for an institution; call after the admin write committed. */
  invalidateInstitution(instId: string): void {
    this.overrides.delete(instId);
    for (const [hash, entry] of this.credentials) if (entry.instId === instId) this.credentials.delete(hash);
  }
}
