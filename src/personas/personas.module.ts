import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SpacesModule } from '../spaces/spaces.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { PersonasAdminController } from './personas-admin.controller.js';
import { PersonasInternalController } from './personas-internal.controller.js';
import { PersonasRepository } from './personas.repository.js';
import { PersonasService } from './personas.service.js';
import { PersonaSeedService } from './persona-seed.service.js';

@Module({
  imports: [AuthModule, SpacesModule, ToolsModule],
  controllers: [PersonasAdminController, PersonasInternalController],
  providers: [PersonasRepository, PersonasService, PersonaSeedService],
  exports: [PersonasService, PersonaSeedService],
})
export class PersonasModule {}
