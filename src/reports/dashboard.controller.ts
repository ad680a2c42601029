import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/public.decorator.js';
import { DashboardAssets } from './dashboard-assets.js';

/**
 * Serves the admin dashboard's static files at /admin. Public on purpose: the files hold no data;
 * the page signs in and reads everything from the admin APIs with a bearer token it keeps in the
 * tab's sessionStorage (a reload stays signed in; closing the tab ends it; see public/api.js).
 */
@ApiExcludeController()
@Public()
@Controller('admin')
export class DashboardController {
  constructor(@Inject(DashboardAssets) private readonly assets: DashboardAssets) {}

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get(':file')
  file(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`No dashboard file named ${JSON.stringify(name.slice(0, 80))}`);
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(asset.path, { dotfiles: 'allow' });
  }
}
