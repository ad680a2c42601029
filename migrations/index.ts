import { Foundation1763700000000 } from './1763700000000-foundation.js';
import { Personas1763700001000 } from './1763700001000-personas.js';
import { UserSettings1763700002000 } from './1763700002000-user-settings.js';
import { EncryptionKeys1763700003000 } from './1763700003000-encryption-keys.js';
import { AppModules1763700003100 } from './1763700003100-app-modules.js';
import { PersonasAdminIndexes1763700004000 } from './1763700004000-personas-admin-indexes.js';
import { ReportIndexes1763700006000 } from './1763700006000-report-indexes.js';
import { Findings1763700007000 } from './1763700007000-findings.js';
import { Faults1763700008000 } from './1763700008000-faults.js';
import { TickStatuses1763700009000 } from './1763700009000-tick-statuses.js';
import { LlmCost1763700010000 } from './1763700010000-llm-cost.js';
import { OAuth1763700011000 } from './1763700011000-oauth.js';
import { ActionOrigin1763700012000 } from './1763700012000-action-origin.js';
import { Targets1763700013000 } from './1763700013000-targets.js';
import { Trajectory1763700014000 } from './1763700014000-trajectory.js';
import { McpSessions1763700015000 } from './1763700015000-mcp-sessions.js';
import { RateLimits1763700016000 } from './1763700016000-rate-limits.js';
import { TokenRevocation1763700017000 } from './1763700017000-token-revocation.js';

/** Every migration, in timestamp order, listed explicitly. Append new ones at the end. */
export const MIGRATIONS = [
  Foundation1763700000000,
  Personas1763700001000,
  UserSettings1763700002000,
  EncryptionKeys1763700003000,
  AppModules1763700003100,
  PersonasAdminIndexes1763700004000,
  ReportIndexes1763700006000,
  Findings1763700007000,
  Faults1763700008000,
  TickStatuses1763700009000,
  LlmCost1763700010000,
  OAuth1763700011000,
  ActionOrigin1763700012000,
  Targets1763700013000,
  Trajectory1763700014000,
  McpSessions1763700015000,
  RateLimits1763700016000,
  TokenRevocation1763700017000,
];
