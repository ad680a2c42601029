import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module.js';
import { CryptoModule } from '../crypto/crypto.module.js';
import { SpacesModule } from '../spaces/spaces.module.js';
import { ActiveSpaceResolver } from './active-space.resolver.js';
import { ToolExecutor } from './tool.executor.js';
import { ToolPolicy } from './tool.policy.js';
import { ToolRegistry } from './tool.registry.js';
import { McpGateway } from './mcp/mcp.gateway.js';
import { McpHttpHandler } from './mcp/mcp-http.handler.js';
import { McpOriginPolicy } from './mcp/mcp-origin.policy.js';
import { McpServerFactory } from './mcp/mcp-server.factory.js';
import { McpSessionManager } from './mcp/mcp-session.manager.js';
import { McpSessionRepository } from './mcp/mcp-session.repository.js';
import { McpEventStore } from './mcp/mcp-event.store.js';
import { McpStreamResumer } from './mcp/mcp-stream.resumer.js';
import { UserSettingsController } from './settings/user-settings.controller.js';
import { UserSettingsService } from './settings/user-settings.service.js';

/**
 * The tools layer: the registry of @Tool methods (discovered across the whole app), the policy and
 * the executor every invoker goes through, the user's tool settings, and the MCP gateway at /mcp
 * (served by McpHttpHandler, which app.factory.ts mounts ahead of Nest's router).
 */
@Module({
  imports: [DiscoveryModule, AuthModule, CryptoModule, SpacesModule],
  controllers: [UserSettingsController],
  providers: [
    ToolRegistry,
    ToolPolicy,
    ToolExecutor,
    ActiveSpaceResolver,
    UserSettingsService,
    McpServerFactory,
    McpSessionManager,
    McpSessionRepository,
    McpEventStore,
    McpStreamResumer,
    McpGateway,
    McpOriginPolicy,
    McpHttpHandler,
  ],
  exports: [
    ToolRegistry,
    ToolExecutor,
    ToolPolicy,
    ActiveSpaceResolver,
    UserSettingsService,
    // the runner keeps sessions open while its ticks drain at shutdown
    McpSessionManager,
  ],
})
export class ToolsModule {}
