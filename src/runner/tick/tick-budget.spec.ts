import { TickBudget } from './tick-budget.js';

describe(TickBudget.name, () => {
  const budget = new TickBudget(0.5, 0.05);

  it('should let a day turn go ahead while the spend, the next call and the reserve fit', () => {
    expect(budget.dayTurnFits(0, 0)).toBe(true);
    expect(budget.dayTurnFits(0.4, 0.05)).toBe(true);
    expect(budget.dayTurnFits(0.41, 0.05)).toBe(false);
  });

  it('should keep the last call as reserve when it costs more than the configured reserve', () => {
    // 0.3 + 0.1 + 0.1 (not 0.05) = 0.5 fits; a bit more does not
    expect(budget.dayTurnFits(0.3, 0.1)).toBe(true);
    expect(budget.dayTurnFits(0.31, 0.1)).toBe(false);
  });

  it('should let the rating turn use the reserve the day turns left', () => {
    expect(budget.ratingTurnFits(0.44, 0.05)).toBe(true);
    expect(budget.ratingTurnFits(0.46, 0.05)).toBe(false);
  });

  it('should not cap anything with a budget of 0', () => {
    const none = new TickBudget(0, 0);
    expect(none.dayTurnFits(1000, 1000)).toBe(true);
    expect(none.ratingTurnFits(1000, 1000)).toBe(true);
  });
});
