import { Module } from '@nestjs/common';
import { FaultsAdminController } from './faults-admin.controller.js';
import { FaultsRepository } from './faults.repository.js';
import { FaultsService } from './faults.service.js';

/**
 * The fault lab. Sits below the app modules (they import it and ask FaultsService whether a defect
 * applies); the only writer of the `faults` table.
 */
@Module({
  controllers: [FaultsAdminController],
  providers: [FaultsRepository, FaultsService],
  exports: [FaultsService],
})
export class FaultsModule {}
