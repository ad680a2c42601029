import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { AdvisoryLock } from '../database/advisory-lock.js';
import { UsersService } from './users.service.js';

export const DEV_ADMIN_EMAIL = 'admin@mana.local';

/**
 * First admin. ADMIN_EMAIL + ADMIN_PASSWORD make sure that admin exists on every boot (idempotent).
 * In development, the first boot with no admin at all creates one and prints its password once.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);
  /** Credentials created on this boot, for the startup banner; never logged again. */
  createdDevAdmin?: { email: string; password: string };
  /** What the ADMIN_EMAIL step did on this boot (read by scripts/admin-create.ts). */
  ensuredAdmin?: { email: string; created: boolean };

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AdvisoryLock) private readonly lock: AdvisoryLock,
  ) {}

  /** One instance at a time (replicas started together): the second finds the admin and creates none. */
  onApplicationBootstrap(): Promise<void> {
    return this.lock.run('adminBootstrap', () => this.bootstrap());
  }

  private async bootstrap(): Promise<void> {
    if (this.config.adminEmail && this.config.adminPassword) {
      const { created } = await this.users.ensureAdmin(this.config.adminEmail, this.config.adminPassword);
      this.ensuredAdmin = { email: this.config.adminEmail, created };
      this.logger.log(`admin ${this.config.adminEmail} ${created ? 'created' : 'present'}`);
      return;
    }
    if (this.config.nodeEnv !== 'development' || (await this.users.countAdmins()) > 0) return;
    const password = randomBytes(18).toString('base64url');
    await this.users.ensureAdmin(DEV_ADMIN_EMAIL, password);
    this.createdDevAdmin = { email: DEV_ADMIN_EMAIL, password };
  }
}
