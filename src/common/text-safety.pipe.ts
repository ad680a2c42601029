import { BadRequestException, Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';

/**
 * Refuses strings that Postgres cannot store or that would be silently altered: NUL characters
 * and lone UTF-16 surrogates, anywhere in a body, query or param, and the property names
 * `__proto__` and `constructor` (prototype pollution). Names the offending field.
 */
@Injectable()
export class TextSafetyPipe implements PipeTransform {
  transform(value: unknown): unknown {
    const problem = findUnsafeText(value, '');
    if (problem) throw new BadRequestException(problem);
    return value;
  }
}

export function findUnsafeText(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 32) return `${path || 'body'} is nested too deeply`;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return `${path || 'value'} contains a NUL (\\u0000) character`;
    if (!value.isWellFormed()) return `${path || 'value'} contains a lone UTF-16 surrogate`;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findUnsafeText(value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      // the validator's whitelist does not see these two, and they are never a legitimate field
      if (key === '__proto__' || key === 'constructor') {
        return `${path ? `${path}.` : ''}${key} is not an allowed property name`;
      }
      const keyProblem = findUnsafeText(key, `${path}${path ? '.' : ''}(key)`, depth + 1);
      if (keyProblem) return keyProblem;
      const p = findUnsafeText(v, path ? `${path}.${key}` : key, depth + 1);
      if (p) return p;
    }
  }
  return undefined;
}
