import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable, Logger } from '@nestjs/common';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface DashboardAsset {
  path: string;
  contentType: string;
}

/**
 * The static files of the /admin dashboard (src/reports/public: HTML, CSS, ES modules; no build step).
 * The folder is found next to this module (src/ under ts-jest, dist/src/ after `nest build`, which
 * copies it), else at <cwd>/src/reports/public (a plain `tsc` build copies no assets). Files are
 * listed once at boot and served only by exact name, so no request path ever reaches the file system.
 */
@Injectable()
export class DashboardAssets {
  private readonly logger = new Logger(DashboardAssets.name);
  readonly folder: string | undefined;
  private readonly files = new Map<string, DashboardAsset>();

  constructor() {
    const candidates = [
      fileURLToPath(new URL('./public', import.meta.url)),
      resolve(process.cwd(), 'src/reports/public'),
    ];
    this.folder = candidates.find((dir) => existsSync(join(dir, 'index.html')));
    if (!this.folder) {
      this.logger.warn(`dashboard files not found (looked in ${candidates.join(', ')}); /admin answers 404`);
      return;
    }
    for (const name of readdirSync(this.folder)) {
      const path = join(this.folder, name);
      const contentType = CONTENT_TYPES[extname(name).toLowerCase()];
      if (contentType && statSync(path).isFile()) this.files.set(name, { path, contentType });
    }
  }

  get(name: string): DashboardAsset | undefined {
    return this.files.get(name);
  }
}
