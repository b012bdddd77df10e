import { randomBytes } from 'node:crypto';

/**
 * Short-lived values kept in memory under a short random key, for what does not fit in a
 * 100-character custom_id or must outlive a deferred reply (a form the core returned too late
 * to be shown as the first response). Interactions reach the process that holds the gateway
 * session, so memory is enough; a miss says "expired" and asks the user to start again.
 */
export class Stash<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(
    private readonly ttlMs = 15 * 60_000,
    private readonly max = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  put(value: T): string {
    this.prune();
    const key = randomBytes(6).toString('base64url');
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    return key;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expires < this.now()) return undefined;
    return entry.value;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires < now) this.entries.delete(key);
    while (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
