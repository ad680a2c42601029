import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CryptoModule } from '../crypto/crypto.module.js';
import { SpacesModule } from '../spaces/spaces.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { PersonasAdminController } from './api/personas-admin.controller.js';
import { PersonasInternalController } from './api/personas-internal.controller.js';
import { PersonasRepository } from './personas.repository.js';
import { PersonasService } from './personas.service.js';
import { PersonaSeedService } from './catalog/persona-seed.service.js';
import { PersonaAuditRepository } from './audit/persona-audit.repository.js';
import { PersonaAuditService } from './audit/persona-audit.service.js';
import { PersonaFieldsValidator } from './persona-fields.validator.js';
import { PersonaScheduleRepository } from './schedule/persona-schedule.repository.js';
import { PersonaScheduleService } from './schedule/persona-schedule.service.js';
import { PersonaMemoryRepository } from './audit/persona-memory.repository.js';
import { PersonaMemoryService } from './audit/persona-memory.service.js';
import { NotTickingRepository } from './schedule/not-ticking.repository.js';
import { NotTickingService } from './schedule/not-ticking.service.js';
import { PersonaTargetsService } from './targets/persona-targets.service.js';
import { TargetSecretsCodec } from './targets/target-secrets.codec.js';
import { TargetsAdminController } from './targets/targets-admin.controller.js';
import { TargetsRepository } from './targets/targets.repository.js';
import { TargetsService } from './targets/targets.service.js';
import { TrajectoryCipher } from './audit/trajectory-cipher.service.js';
import { TrajectoryRetentionService } from './audit/trajectory-retention.service.js';

@Module({
  imports: [AuthModule, SpacesModule, CryptoModule, ToolsModule],
  controllers: [PersonasAdminController, PersonasInternalController, TargetsAdminController],
  providers: [
    PersonasRepository,
    PersonaAuditRepository,
    PersonaScheduleRepository,
    PersonaFieldsValidator,
    PersonasService,
    PersonaAuditService,
    PersonaScheduleService,
    PersonaSeedService,
    PersonaMemoryRepository,
    PersonaMemoryService,
    NotTickingRepository,
    NotTickingService,
    TargetsRepository,
    TargetSecretsCodec,
    TargetsService,
    PersonaTargetsService,
    TrajectoryCipher,
    TrajectoryRetentionService,
  ],
  /** The runner uses only these (and the plain types of persona-schedule.types.ts). */
  exports: [
    PersonasService,
    PersonaAuditService,
    PersonaScheduleService,
    PersonaSeedService,
    PersonaMemoryService,
    TargetsService,
    PersonaTargetsService,
    TrajectoryCipher,
  ],
})
export class PersonasModule {}
