import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config.js';
import { AdvisoryLock } from '../../database/advisory-lock.js';
import { UsersService } from './users.service.js';
import { writeFirstAdminFile } from './first-admin-file.js';

export const DEV_ADMIN_EMAIL = 'admin@mana.local';

/** The admin created on this boot in development; main.ts prints it last in the boot output. */
export interface CreatedDevAdmin {
  email: string;
  password: string;
  /** `<DATA_DIR>/first-admin.txt` (0600) holding the same credentials; undefined if it could not be written. */
  file?: string;
}

/**
 * First admin. ADMIN_EMAIL + ADMIN_PASSWORD make sure that admin exists on every boot (idempotent).
 * In development, the first boot with no admin at all creates one, writes its credentials to
 * `first-admin.txt` in DATA_DIR, and main.ts prints its password once, at the end of the boot. The
 * password is never passed to a logger.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);
  /** Credentials created on this boot, for main.ts's boot output; never logged. */
  createdDevAdmin?: CreatedDevAdmin;
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
    this.createdDevAdmin = { email: DEV_ADMIN_EMAIL, password, file: this.saveToFile(password) };
  }

  /** The copy in DATA_DIR; a directory that cannot be written costs the copy, not the boot. */
  private saveToFile(password: string): string | undefined {
    try {
      const file = writeFirstAdminFile(this.config.dataDir, DEV_ADMIN_EMAIL, password);
      this.logger.log(
        `first admin ${DEV_ADMIN_EMAIL} created; its password is printed at the end of the boot and saved in ${file} (mode 0600)`,
      );
      return file;
    } catch (error) {
      this.logger.warn(
        `first admin ${DEV_ADMIN_EMAIL} created; its password is printed at the end of the boot only (could not write it to DATA_DIR: ${(error as Error).message})`,
      );
      return undefined;
    }
  }
}
