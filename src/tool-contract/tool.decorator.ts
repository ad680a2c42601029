import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';
import type { ToolOptions } from './tool.types.js';

export const TOOL_METADATA = 'mana:tool';

/**
 * Marks a provider method as a tool. The method is called as `(input, ctx)` with input already
 * parsed by `options.input`; its return value is checked against `options.output`.
 * The ToolRegistry discovers every marked method at boot.
 */
export const Tool = <I extends z.ZodObject, O extends z.ZodType>(options: ToolOptions<I, O>) =>
  SetMetadata(TOOL_METADATA, options);
