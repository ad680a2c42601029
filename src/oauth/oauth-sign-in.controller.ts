import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/public.decorator.js';
import { ConsentFormDto, SignInFormDto } from './oauth-sign-in.dto.js';
import { OAuthSignInFlow } from './oauth-sign-in.flow.js';

/** The HTML forms of the authorize step (urlencoded bodies; rate-limited like login, app.factory.ts). */
@ApiExcludeController()
@Public()
@Controller('oauth')
export class OAuthSignInController {
  constructor(@Inject(OAuthSignInFlow) private readonly flow: OAuthSignInFlow) {}

  @Post('sign-in')
  signIn(@Req() req: Request, @Res() res: Response, @Body() form: SignInFormDto): Promise<void> {
    return this.flow.signIn(req, res, form);
  }

  @Post('consent')
  consent(@Req() req: Request, @Res() res: Response, @Body() form: ConsentFormDto): Promise<void> {
    return this.flow.consent(req, res, form);
  }
}
