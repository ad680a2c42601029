import type { SemanticsDocument } from '../../tool-contract/semantics-document.js';

/** How an external MCP server is reached (the built-in app is no stored target: it is `null`). */
export const TARGET_KINDS = ['http', 'stdio'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** What `targets.secrets` holds, encrypted: header values (http) and environment values (stdio). */
export interface TargetSecrets {
  headers: Record<string, string>;
  env: Record<string, string>;
}

/** A target's whole state as it is about to be stored, every rule of its kind already checked. */
export interface TargetDraft extends TargetSecrets {
  name: string;
  kind: TargetKind;
  url: string | null;
  command: string | null;
  args: string[];
  semantics: SemanticsDocument | null;
}

/** A stored target as the service reads it (secrets still sealed), with how many personas use it. */
export interface TargetRow {
  id: string;
  name: string;
  kind: TargetKind;
  url: string | null;
  command: string | null;
  args: string[];
  headerNames: string[];
  envNames: string[];
  secrets: string;
  semantics: SemanticsDocument | null;
  personas: number;
  createdAt: Date;
  /** created_at as Postgres prints it (microseconds kept) for the keyset cursor. */
  createdKey: string;
  updatedAt: Date;
}
