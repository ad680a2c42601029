import { BrainPausedError } from '../brains/brain.js';
import { TickShutdownError, TickStoppedError, TickTimeoutError, classifyFailure } from './tick-failure.js';

const live = { aborted: false, reason: undefined };
const abortedBy = (reason: unknown) => ({ aborted: true, reason });

describe(classifyFailure.name, () => {
  it('should call a tick aborted by its own time limit timed_out and reschedule the persona', () => {
    expect(classifyFailure(new Error('socket closed'), abortedBy(new TickTimeoutError(5000)))).toEqual({
      status: 'timed_out',
      error: 'tick timed out after 5000 ms',
      keepSchedule: false,
    });
  });

  it('should call a stopped tick failed with the reason and keep the persona’s place in the queue', () => {
    expect(classifyFailure(new Error('x'), abortedBy(new TickStoppedError('runner shutting down')))).toEqual({
      status: 'failed',
      error: 'stopped: runner shutting down',
      keepSchedule: true,
    });
    expect(classifyFailure(new Error('x'), abortedBy('operator'))).toMatchObject({
      error: 'aborted: operator',
      keepSchedule: true,
    });
  });

  it('should call a tick cut by a shutdown aborted and keep the persona’s place in the queue', () => {
    expect(classifyFailure(new Error('x'), abortedBy(new TickShutdownError('grace period over')))).toEqual({
      status: 'aborted',
      error: 'stopped: grace period over',
      keepSchedule: true,
    });
  });

  it('should keep the schedule when the brain paused itself', () => {
    expect(classifyFailure(new BrainPausedError('anthropic', 'no API key'), live)).toEqual({
      status: 'failed',
      error: 'anthropic brain is paused: no API key',
      keepSchedule: true,
    });
  });

  it('should call any other error failed, clipped to 2000 characters, and reschedule the persona', () => {
    const failure = classifyFailure(new Error('x'.repeat(5000)), live);
    expect(failure).toMatchObject({ status: 'failed', keepSchedule: false });
    expect(failure.error).toHaveLength(2000);
    expect(classifyFailure('plain text', live).error).toBe('plain text');
  });
});
