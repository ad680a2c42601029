import { Module } from '@nestjs/common';
import type { MiddlewareConsumer, NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CryptoModule } from '../crypto/crypto.module.js';
import { SpacesModule } from '../spaces/spaces.module.js';
import { ActiveSpaceResolver } from './active-space.resolver.js';
import { ToolExecutor } from './tool.executor.js';
import { ToolPolicy } from './tool.policy.js';
import { ToolRegistry } from './tool.registry.js';
import { McpController } from './mcp/mcp.controller.js';
import { McpGateway } from './mcp/mcp.gateway.js';
import { McpOriginMiddleware } from './mcp/mcp-origin.middleware.js';
import { McpServerFactory } from './mcp/mcp-server.factory.js';
import { McpSessionManager } from './mcp/mcp-session.manager.js';
import { UserSettingsController } from './settings/user-settings.controller.js';
import { UserSettingsService } from './settings/user-settings.service.js';

/**
 * The tools layer: the registry of @Tool methods (discovered across the whole app), the policy and
 * the executor every invoker goes through, the user's tool settings, and the MCP gateway at /mcp.
 */
@Module({
  imports: [DiscoveryModule, CryptoModule, SpacesModule],
  controllers: [McpController, UserSettingsController],
  providers: [
    ToolRegistry,
    ToolPolicy,
    ToolExecutor,
    ActiveSpaceResolver,
    UserSettingsService,
    McpServerFactory,
    McpSessionManager,
    McpGateway,
  ],
  exports: [ToolRegistry, ToolExecutor, ToolPolicy, ActiveSpaceResolver, UserSettingsService],
})
export class ToolsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(McpOriginMiddleware).forRoutes(McpController);
  }
}
