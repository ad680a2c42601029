import { Global, Module } from '@nestjs/common';
import { SPACE_WRITE_INTERCEPTORS } from '../modules/common/space-write.interceptor.js';
import { TOOL_CALL_INTERCEPTORS } from '../tool-contract/tool-call.interceptor.js';
import { FaultInterceptor } from './fault.interceptor.js';
import { FaultsAdminController } from './faults-admin.controller.js';
import { FaultsRepository } from './faults.repository.js';
import { FaultsService } from './faults.service.js';

/**
 * The fault lab; the only writer of the `faults` table. It plugs into two interceptor tokens, the
 * tool executor's (declared with the tool contract) and the space data repository's, which it
 * provides globally: AppModule imports it once, and neither the tools layer nor the app modules
 * import anything from it.
 */
@Global()
@Module({
  controllers: [FaultsAdminController],
  providers: [
    FaultsRepository,
    FaultsService,
    FaultInterceptor,
    {
      provide: TOOL_CALL_INTERCEPTORS,
      useFactory: (lab: FaultInterceptor) => [lab],
      inject: [FaultInterceptor],
    },
    {
      provide: SPACE_WRITE_INTERCEPTORS,
      useFactory: (lab: FaultInterceptor) => [lab],
      inject: [FaultInterceptor],
    },
  ],
  exports: [FaultsService, TOOL_CALL_INTERCEPTORS, SPACE_WRITE_INTERCEPTORS],
})
export class FaultsModule {}
