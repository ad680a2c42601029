import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { SPACE_TYPES } from '../../spaces/space.entity.js';
import { SpacesService } from '../../spaces/spaces.service.js';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext } from '../../tool-contract/tool.types.js';

const listSpacesInput = z.object({}).strict();

const listSpacesOutput = z.object({
  activeSpaceId: z.string().describe('the space this call ran in (X-Mana-Space, else the personal space)'),
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.enum(SPACE_TYPES),
      role: z.enum(['owner', 'member']),
      active: z.boolean(),
    }),
  ),
});

/** `spaces.list`: which spaces the caller belongs to and which one the call is acting in. */
@Injectable()
export class SpacesTools {
  constructor(@Inject(SpacesService) private readonly spaces: SpacesService) {}

  @Tool({
    name: 'spaces.list',
    module: 'spaces',
    scope: 'user-space',
    policy: 'read',
    description:
      'List my spaces (personal, family, team, …) with my role in each, and which one is active for this call.',
    input: listSpacesInput,
    output: listSpacesOutput,
    // every space of the caller, the personal one first (then by creation, which the items do not show)
    semantics: {
      effect: 'list',
      entity: 'space',
      list: { items: 'items', complete: true },
      idempotent: true,
    },
  })
  async list(_input: z.infer<typeof listSpacesInput>, ctx: ToolContext) {
    const mine = await this.spaces.listMine(ctx.user.id);
    return {
      activeSpaceId: ctx.spaceId,
      items: mine.map((s) => ({
        id: s.id,
        name: s.name,
        type: s.type,
        role: s.role,
        active: s.id === ctx.spaceId,
      })),
    };
  }
}
