import { Inject, Injectable } from '@nestjs/common';
import { SpacesService } from '../spaces/spaces.service.js';
import { SpaceException } from '../spaces/spaces.exception.js';
import { isUuid } from '../common/uuid.js';
import { ToolsErrorCode, ToolsException } from './tools.exception.js';

const PERSONAL_CACHE_MAX = 10_000;

/**
 * The active space of a tool call: the one named (X-Mana-Space), checked for membership on every
 * call, or else the caller's personal space. A user's personal space never changes, so that lookup
 * is cached; memberships are not (a removed member loses access on the next request).
 */
@Injectable()
export class ActiveSpaceResolver {
  private readonly personal = new Map<string, string>();

  constructor(@Inject(SpacesService) private readonly spaces: SpacesService) {}

  async resolve(userId: string, requested: string | undefined): Promise<string> {
    if (requested === undefined || requested === '') return this.personalSpaceId(userId);
    const spaceId = requested.trim();
    if (!isUuid(spaceId)) {
      throw new ToolsException(
        ToolsErrorCode.SPACE_HEADER_INVALID,
        'X-Mana-Space must be the id (uuid) of a space you belong to',
      );
    }
    if (this.personal.get(userId) === spaceId.toLowerCase()) return this.personal.get(userId) as string;
    try {
      await this.spaces.assertMember(userId, spaceId);
    } catch (error) {
      if (!(error instanceof SpaceException)) throw error;
      throw new ToolsException(
        ToolsErrorCode.SPACE_FORBIDDEN,
        `You are not a member of space ${spaceId} (X-Mana-Space)`,
      );
    }
    return spaceId.toLowerCase();
  }

  async personalSpaceId(userId: string): Promise<string> {
    const cached = this.personal.get(userId);
    if (cached) return cached;
    const id = await this.spaces.personalSpaceId(userId);
    if (this.personal.size >= PERSONAL_CACHE_MAX) {
      this.personal.delete(this.personal.keys().next().value as string);
    }
    this.personal.set(userId, id);
    return id;
  }
}
