import type { ToolWarning } from './tool.types.js';

/**
 * Phrases that try to steer the model reading a tool result rather than describe the user's life.
 * Flagging is advisory: the call still runs (a journal entry may legitimately quote one), the caller
 * is told. Each entry: a stable label (shown to the caller) and the pattern, matched after whitespace
 * and zero-width characters are normalised.
 */
const MARKERS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    'ignore previous instructions',
    /\bignore\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|preceding|former)\s+(?:instructions?|prompts?|messages?|rules|directions|context)/i,
  ],
  [
    'disregard the above',
    /\bdisregard\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:above|previous|prior|earlier|preceding|instructions?|rules)/i,
  ],
  [
    'forget your instructions',
    /\bforget\s+(?:all\s+|everything\s+)?(?:about\s+)?(?:your|the|previous|prior|above)\s+(?:previous\s+|prior\s+)?(?:instructions?|prompts?|rules|context)/i,
  ],
  ['system prompt', /\bsystem\s*prompt\b/i],
  ['you are now', /\byou\s+are\s+now\b/i],
  ['new instructions', /\bnew\s+(?:system\s+)?instructions?\s*:/i],
  [
    'override instructions',
    /\boverride\s+(?:all\s+|your\s+|the\s+)?(?:previous\s+)?(?:instructions?|rules|safety|guidelines)/i,
  ],
  ['developer mode', /\b(?:developer|dan|god)\s+mode\b/i],
  ['chat template token', /<\|(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|>/i],
  ['instruction tags', /\[\/?INST\]|<<\/?SYS>>|<\/?system>/i],
  ['role header', /(?:^|\n)\s*#{2,}\s*(?:system|instructions?)\b/i],
];

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
const MAX_DEPTH = 32;

/** Every string in `input` (keys are not data) checked against the markers; one warning per field and marker. */
export function findInjectionMarkers(input: unknown): ToolWarning[] {
  const warnings: ToolWarning[] = [];
  visit(input, '', 0, warnings);
  return warnings;
}

function visit(value: unknown, path: string, depth: number, out: ToolWarning[]): void {
  if (depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    if (value.length < 8) return;
    const text = value.replace(ZERO_WIDTH, '').replace(/[ \t\f\v\u00A0]+/g, ' ');
    for (const [marker, pattern] of MARKERS) {
      if (pattern.test(text)) out.push({ kind: 'prompt_injection', field: path || '(input)', marker });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => visit(v, path ? `${path}.${i}` : String(i), depth + 1, out));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) visit(v, path ? `${path}.${key}` : key, depth + 1, out);
  }
}
