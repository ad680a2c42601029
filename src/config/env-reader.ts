import { createPrivateKey } from 'node:crypto';
import { CronTime } from 'cron';

const DURATION = /^(\d+)\s*(s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads typed values out of an environment record and collects a readable problem for each bad one
 * instead of stopping at the first.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Record<string, string | undefined>) {}

  fail(name: string, why: string): void {
    this.problems.push(`${name} ${why}`);
  }

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  optionalEmail(name: string): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && !EMAIL.test(value))
      this.fail(name, `must be an email address (got "${value}")`);
    return value?.toLowerCase();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.fail(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.fail(name, `must be a number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.fail(name, `must be true or false (got "${value}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  /** A duration in seconds: "900", "15m", "12h", "30d". */
  duration(name: string, fallback: string, minSeconds: number, maxSeconds: number): number {
    const value = this.raw(name) ?? fallback;
    const match = DURATION.exec(value);
    const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] ?? 's'] : NaN;
    if (!match || seconds < minSeconds || seconds > maxSeconds) {
      this.fail(
        name,
        `must be a duration like 900, 15m, 12h or 30d between ${minSeconds}s and ${maxSeconds}s (got "${value}")`,
      );
      return minSeconds;
    }
    return seconds;
  }

  /** A body size for express: "100kb", "1mb". */
  size(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    if (!/^\d+(b|kb|mb)$/i.test(value)) this.fail(name, `must be a size like 512kb or 1mb (got "${value}")`);
    return value;
  }

  list(name: string, fallback: string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  optionalUrl(name: string, protocols: string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (!protocols.includes(url.protocol)) {
        this.fail(name, `must use ${protocols.join(' or ')} (got ${url.protocol})`);
      }
    } catch {
      this.fail(name, 'is not a valid URL');
    }
    return value;
  }

  cron(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    try {
      new CronTime(value);
    } catch (error) {
      this.fail(name, `is not a valid cron expression (${(error as Error).message})`);
      return fallback;
    }
    return value;
  }

  /** A secret string of at least minLength characters; its value is never echoed. */
  secret(name: string, minLength: number): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && value.length < minLength) {
      this.fail(name, `must be at least ${minLength} characters`);
    }
    return value;
  }

  /** A PEM private key for ES256 (P-256). "\n" escapes are accepted for one-line env files. */
  pem(name: string): string | undefined {
    const value = this.raw(name)?.replace(/\\n/g, '\n');
    if (value === undefined) return undefined;
    try {
      const key = createPrivateKey(value);
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        this.fail(name, 'must be a P-256 (ES256) EC private key in PEM');
      }
    } catch {
      this.fail(name, 'is not a readable PEM private key');
    }
    return value;
  }

  /** A 32-byte key given as base64 (44 chars) or hex (64 chars). */
  key32(name: string): Buffer | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
    if (key.length !== 32) {
      this.fail(name, 'must be 32 bytes, as base64 or 64 hex characters');
      return undefined;
    }
    return key;
  }
}
