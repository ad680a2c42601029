import type { Target } from '../../tool-contract/mcp-target.js';

// The target's shape and the rules for its parts live below the personas module, which stores
// targets (src/tool-contract/mcp-target.ts); the runner's callers keep importing them from here.
export {
  BUILT_IN_TARGET,
  parseEnvAssignment,
  parseHeaderLine,
  splitCommandLine,
} from '../../tool-contract/mcp-target.js';
export type { BuiltInTarget, HttpTarget, StdioTarget, Target } from '../../tool-contract/mcp-target.js';

/** The target could not be reached or refused the personas: a setup problem, not a finding. */
export class TargetUnreachableError extends Error {}

/** The target for a log line or a report: its address, and only the names of its secrets. */
export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'built-in':
      return 'the built-in app';
    case 'http': {
      const names = Object.keys(target.headers);
      return `${target.url}${names.length > 0 ? ` (headers: ${names.join(', ')})` : ''}`;
    }
    case 'stdio': {
      const names = Object.keys(target.env);
      return `stdio: ${[target.command, ...target.args].join(' ')}${names.length > 0 ? ` (env: ${names.join(', ')})` : ''}`;
    }
  }
}
