import { dailyBudgetCheck } from './daily-budget.js';

const spend = (spentUsd: number) => ({
  spentUsd,
  dayStart: new Date('2025-11-19T00:00:00Z'),
  nextDayAt: new Date('2025-11-20T00:00:00Z'),
  now: new Date('2025-11-19T15:30:00Z'),
});

describe(dailyBudgetCheck.name, () => {
  it('should never be reached without a cap, however much was spent', () => {
    expect(dailyBudgetCheck(spend(1e6), undefined)).toMatchObject({
      budgetUsd: null,
      reached: false,
      reason: null,
    });
  });

  it('should be reached once the spend is at the cap, naming DAILY_BUDGET_USD and the next UTC midnight', () => {
    const check = dailyBudgetCheck(spend(5), 5);
    expect(check).toMatchObject({ budgetUsd: 5, spentTodayUsd: 5, reached: true });
    expect(check.reason).toContain('DAILY_BUDGET_USD $5');
    expect(check.reason).toContain('2025-11-20T00:00:00.000Z');
    expect(check.resumesAt).toEqual(new Date('2025-11-20T00:00:00Z'));
  });

  it('should not be reached below the cap', () => {
    expect(dailyBudgetCheck(spend(4.9999), 5)).toMatchObject({ reached: false, reason: null });
  });

  it('should be reached at once by a cap of 0', () => {
    expect(dailyBudgetCheck(spend(0), 0).reached).toBe(true);
  });
});
