import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Target } from '../../tool-contract/mcp-target.js';
import { withReaders } from '../../tool-contract/semantics-document.js';
import { PersonaErrorCode, PersonaException } from '../personas.exception.js';
import { TargetSecretsCodec } from './target-secrets.codec.js';
import { TargetsRepository } from './targets.repository.js';
import type { PersonaTargetColumns } from './targets.repository.js';

/**
 * A change to a persona's target, as create-or-update is given it. `target`: a target id, `null` for
 * the built-in app, omitted to keep it. `headers`: the persona's own headers for its target (they
 * override the target's), `null` to clear, omitted to keep them while the target stays the same;
 * pointed at another target, a persona's headers are dropped unless new ones come with it, so
 * credentials given for one server are never sent to another.
 */
export interface PersonaTargetChange {
  target?: string | null;
  headers?: Record<string, string> | null;
}

/**
 * Which MCP server each persona plays: writes the persona's target columns inside the persona's
 * create-or-update transaction, and answers the runner the persona's target with its secrets opened.
 */
@Injectable()
export class PersonaTargetsService {
  constructor(
    @Inject(TargetsRepository) private readonly repo: TargetsRepository,
    @Inject(TargetSecretsCodec) private readonly codec: TargetSecretsCodec,
  ) {}

  /**
   * Applies `change` to the persona (its row already written in `m`'s transaction) and answers
   * whether anything changed: repeating a call with the same target and headers writes nothing.
   * An unknown target, or headers for a persona without an http target, is a 400 naming the field.
   */
  async assign(m: EntityManager, personaId: string, change: PersonaTargetChange): Promise<boolean> {
    if (change.target === undefined && change.headers === undefined) return false;
    const current = await this.repo.personaTarget(m, personaId);
    if (!current) throw new Error(`persona ${personaId} vanished inside its own transaction`);
    const targetId = change.target === undefined ? current.targetId : (change.target?.toLowerCase() ?? null);
    // the target row is share-locked until the persona's transaction ends: no delete slips between
    const kind = targetId === null ? null : await this.repo.lockShared(m, targetId);
    if (kind === undefined) {
      throw invalid(
        `target: there is no target ${targetId} (GET /api/v1/targets lists them; null is the built-in app)`,
      );
    }
    if (change.headers && Object.keys(change.headers).length > 0 && kind !== 'http') {
      throw invalid(
        kind === null
          ? 'targetHeaders need a target: the built-in app signs the persona in itself'
          : 'targetHeaders are only for http targets: a stdio target gets its environment (env)',
      );
    }
    const sameTarget = targetId === current.targetId;
    const headers =
      change.headers === undefined
        ? sameTarget
          ? this.headersOf(personaId, current)
          : {}
        : (change.headers ?? {});
    if (sameTarget && sameMap(headers, this.headersOf(personaId, current))) return false;
    const next: PersonaTargetColumns = {
      targetId,
      targetSecrets:
        targetId !== null && Object.keys(headers).length > 0
          ? this.codec.sealPersonaHeaders(personaId, targetId, headers)
          : null,
      targetHeaderNames: targetId !== null ? Object.keys(headers) : [],
    };
    await this.repo.setPersonaTarget(m, personaId, next);
    return true;
  }

  /**
   * The persona's target as the runner plays it, secrets opened: the target's headers with the
   * persona's own over them (header names compare ignoring case), or its command and environment;
   * its semantics as the engine reads them. Null: the built-in app.
   */
  async targetOf(personaId: string): Promise<Target | null> {
    const row = await this.repo.playable(personaId);
    if (!row) return null;
    const secrets = this.codec.openTarget(row.targetId, row.secrets);
    const semantics = row.semantics ? { semantics: withReaders(row.semantics.tools) } : {};
    if (row.kind === 'stdio') {
      return { kind: 'stdio', command: row.command ?? '', args: row.args, env: secrets.env, ...semantics };
    }
    const own = row.personaSecrets
      ? this.codec.openPersonaHeaders(personaId, row.targetId, row.personaSecrets)
      : {};
    const overridden = new Set(Object.keys(own).map((n) => n.toLowerCase()));
    const headers = Object.fromEntries([
      ...Object.entries(secrets.headers).filter(([name]) => !overridden.has(name.toLowerCase())),
      ...Object.entries(own),
    ]);
    return { kind: 'http', url: row.url ?? '', headers, ...semantics };
  }

  private headersOf(personaId: string, current: PersonaTargetColumns): Record<string, string> {
    return current.targetId && current.targetSecrets
      ? this.codec.openPersonaHeaders(personaId, current.targetId, current.targetSecrets)
      : {};
  }
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function invalid(message: string): PersonaException {
  return new PersonaException(PersonaErrorCode.INVALID_INPUT, message);
}
