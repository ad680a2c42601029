import { Module } from '@nestjs/common';
import { SpacesModule } from '../../spaces/spaces.module.js';
import { SpacesTools } from './spaces.tools.js';

@Module({
  imports: [SpacesModule],
  providers: [SpacesTools],
})
export class SpacesToolsModule {}
