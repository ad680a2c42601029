import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { SemanticsDocument } from '../../tool-contract/semantics-document.js';
import type { TargetDraft, TargetKind, TargetRow } from './target.types.js';

/** A persona's target columns (its own headers still sealed). */
export interface PersonaTargetColumns {
  targetId: string | null;
  targetSecrets: string | null;
  targetHeaderNames: string[];
}

/** What the runner needs to play a persona's target: the target and both sealed secret maps. */
export interface PlayableTargetRow {
  targetId: string;
  kind: TargetKind;
  url: string | null;
  command: string | null;
  args: string[];
  secrets: string;
  semantics: SemanticsDocument | null;
  personaSecrets: string | null;
}

/** A target row with the number of personas that play it (ix_personas_target: one index range each). */
const TARGET_COLUMNS = `t.id, t.name, t.kind, t.url, t.command, t.args, t.header_names AS "headerNames",
  t.env_names AS "envNames", t.secrets, t.semantics,
  (SELECT count(*)::int FROM personas p WHERE p.target_id = t.id) AS personas,
  t.created_at AS "createdAt", t.created_at::text AS "createdKey", t.updated_at AS "updatedAt"`;

/**
 * The `targets` table's statements, and the target columns of `personas` (both owned by the
 * personas module). Methods that run inside a service transaction take its EntityManager, so they
 * never touch another connection (the embedded database would wait on it forever).
 */
@Injectable()
export class TargetsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async find(m: EntityManager, id: string, lock = false): Promise<TargetRow | undefined> {
    const rows: TargetRow[] = await m.query(
      `SELECT ${TARGET_COLUMNS} FROM targets t WHERE t.id = $1 ${lock ? 'FOR UPDATE OF t' : ''}`,
      [id],
    );
    return rows[0];
  }

  /**
   * One page, newest first, keyset on (created_at, id) over ix_targets_created, like the persona list.
   * $1 = limit; with a cursor, $2 = created_at text and $3 = id of the previous page's last row.
   */
  listPage(limit: number, after?: { createdKey: string; id: string }): Promise<TargetRow[]> {
    return this.dataSource.query(
      `SELECT ${TARGET_COLUMNS} FROM targets t
        ${after ? 'WHERE (t.created_at, t.id) < ($2::timestamptz, $3::uuid)' : ''}
        ORDER BY t.created_at DESC, t.id DESC LIMIT $1`,
      after ? [limit, after.createdKey, after.id] : [limit],
    );
  }

  async insert(id: string, draft: TargetDraft, sealed: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO targets (id, name, kind, url, command, args, header_names, env_names, secrets, semantics)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10::jsonb)`,
      params(id, draft, sealed),
    );
  }

  async update(m: EntityManager, id: string, draft: TargetDraft, sealed: string): Promise<void> {
    await m.query(
      `UPDATE targets SET name = $2, kind = $3, url = $4, command = $5, args = $6::jsonb,
              header_names = $7::jsonb, env_names = $8::jsonb, semantics = $10::jsonb, secrets = $9,
              updated_at = now()
        WHERE id = $1`,
      params(id, draft, sealed),
    );
  }

  async delete(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM targets WHERE id = $1`, [id]);
  }

  /** The target's kind, undefined when there is none; it cannot be deleted until `m`'s transaction ends. */
  async lockShared(m: EntityManager, id: string): Promise<TargetKind | undefined> {
    const rows: Array<{ kind: TargetKind }> = await m.query(
      `SELECT kind FROM targets WHERE id = $1 FOR SHARE`,
      [id],
    );
    return rows[0]?.kind;
  }

  /** The persona's target columns, its row locked for the caller's transaction. */
  async personaTarget(m: EntityManager, personaId: string): Promise<PersonaTargetColumns | undefined> {
    const rows: PersonaTargetColumns[] = await m.query(
      `SELECT target_id AS "targetId", target_secrets AS "targetSecrets",
              target_header_names AS "targetHeaderNames"
         FROM personas WHERE user_id = $1 FOR UPDATE`,
      [personaId],
    );
    return rows[0];
  }

  async setPersonaTarget(m: EntityManager, personaId: string, columns: PersonaTargetColumns): Promise<void> {
    await m.query(
      `UPDATE personas SET target_id = $2, target_secrets = $3, target_header_names = $4::jsonb,
              updated_at = now()
        WHERE user_id = $1`,
      [personaId, columns.targetId, columns.targetSecrets, JSON.stringify(columns.targetHeaderNames)],
    );
  }

  /** The persona's target as the runner plays it; undefined for the built-in app. */
  async playable(personaId: string): Promise<PlayableTargetRow | undefined> {
    const rows: PlayableTargetRow[] = await this.dataSource.query(
      `SELECT t.id AS "targetId", t.kind, t.url, t.command, t.args, t.secrets, t.semantics,
              p.target_secrets AS "personaSecrets"
         FROM personas p JOIN targets t ON t.id = p.target_id
        WHERE p.user_id = $1`,
      [personaId],
    );
    return rows[0];
  }
}

/** $1…$10 of insert and update: the id, the draft's columns, the sealed secrets ($9), the semantics. */
function params(id: string, d: TargetDraft, sealed: string): unknown[] {
  return [
    id,
    d.name,
    d.kind,
    d.url,
    d.command,
    JSON.stringify(d.args),
    JSON.stringify(Object.keys(d.headers)),
    JSON.stringify(Object.keys(d.env)),
    sealed,
    d.semantics === null ? null : JSON.stringify(d.semantics),
  ];
}
