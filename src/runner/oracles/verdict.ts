import type { FindingClass } from '../brains/brain.js';
import { clip } from './values.js';

/**
 * What a check says when a promise is broken: its name (the finding's `check`), the class, and a
 * short expected/got built only from what the persona sent or was shown. The engine adds the tool,
 * its module, the seq of the call and `source: 'oracle'`.
 */
export interface Verdict {
  check: string;
  class: FindingClass;
  expected: string;
  got: string;
  /** The call that showed it, when it is not the call being checked (a probe, an earlier write). */
  seq?: number;
  /** The tool the finding is about, when it is not the tool being checked (a lost write). */
  tool?: string;
}

export function verdict(check: string, cls: FindingClass, expected: string, got: string): Verdict {
  return { check, class: cls, expected: clip(expected), got: clip(got) };
}
