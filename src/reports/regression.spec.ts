import { detectRegression, welchT } from './regression.js';
import type { WindowStats } from './regression.js';

/** count, mean and sample variance of a list of ratings, as the SQL computes them. */
function stats(ratings: number[]): WindowStats {
  const n = ratings.length;
  const avg = n ? ratings.reduce((a, b) => a + b, 0) / n : null;
  const variance = n >= 2 && avg !== null ? ratings.reduce((a, r) => a + (r - avg) ** 2, 0) / (n - 1) : null;
  return { count: n, avg, variance };
}

describe(detectRegression.name, () => {
  it('should flag a clear drop: prev21 [5,5,4,5,4] (4.6) → last7 [3,2,3] (2.667), t ≈ 4.673', () => {
    const v = detectRegression(stats([3, 2, 3]), stats([5, 5, 4, 5, 4]));
    expect(v.regressed).toBe(true);
    expect(v.reason).toBe('regressed');
    expect(v.drop).toBeCloseTo(1.9333, 4);
    // se = sqrt(0.3/5 + 0.3333/3) = 0.41366
    expect(v.t).toBeCloseTo(4.6737, 3);
  });

  it('should not flag a drop of ≥ 0.5 that the spread explains (t ≈ 0.343)', () => {
    const v = detectRegression(stats([5, 1, 5]), stats([5, 5, 5, 1, 5]));
    expect(v.drop).toBeCloseTo(0.5333, 4);
    expect(v.t).toBeCloseTo(0.343, 2);
    expect(v).toMatchObject({ regressed: false, reason: 't_too_small' });
  });

  it('should not flag with fewer than 3 recent or 5 earlier ratings', () => {
    expect(detectRegression(stats([1, 1]), stats([5, 5, 5, 5, 5]))).toMatchObject({
      regressed: false,
      reason: 'too_few_recent',
    });
    expect(detectRegression(stats([1, 1, 1]), stats([5, 5, 5, 5]))).toMatchObject({
      regressed: false,
      reason: 'too_few_before',
    });
  });

  it('should not flag a drop smaller than 0.5 and should flag exactly 0.5 when t allows', () => {
    expect(detectRegression(stats([4, 4, 3]), stats([4, 4, 4, 4, 4])).reason).toBe('drop_too_small');
    // exactly 0.5: prev 4.5 (var 0.3), last 4.0 (var 0): se = sqrt(0.3/6) = 0.2236, t = 2.236
    const v = detectRegression(stats([4, 4, 4, 4]), stats([5, 4, 5, 4, 5, 4]));
    expect(v.drop).toBe(0.5);
    expect(v.reason).toBe('regressed');
  });

  it('should count a drop with no variance at all as certain (t unbounded, reported as null)', () => {
    const v = detectRegression(stats([3, 3, 3]), stats([5, 5, 5, 5, 5]));
    expect(v).toMatchObject({ regressed: true, reason: 'regressed', drop: 2, t: null });
  });

  it('should not flag an improvement', () => {
    expect(detectRegression(stats([5, 5, 5]), stats([2, 3, 2, 3, 2])).reason).toBe('drop_too_small');
  });
});

describe(welchT.name, () => {
  it('should be null when a window has fewer than 2 ratings', () => {
    expect(welchT(stats([5]), stats([1, 2, 3]))).toBeNull();
  });
});
