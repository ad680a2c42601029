/** Rounding of report figures: rates and averages to 4 decimals, money to 6. */

export function rate(part: number, whole: number): number | null {
  return whole > 0 ? round(part / whole) : null;
}

export function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value, 3);
}
