import {
  KAFKAJS_VERSION_CHECKED,
  fixKafkajsIdleLoop,
  installedKafkajsVersion,
  requestQueueClass,
} from './kafkajs-idle-loop';

type Queue = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

/**
 * A queue with the state the scheduler reads, on the installed RequestQueue's prototype; its
 * check sends whatever waits (as kafkajs' does when nothing limits it) and schedules again.
 */
function queue(pending: unknown[] = []): Queue & { checks: number } {
  const q = Object.create(requestQueueClass().prototype) as Queue & { checks: number };
  Object.assign(q, { pending, throttledUntil: -1, throttleCheckTimeoutId: null, checks: 0 });
  q.checkPendingRequests = () => {
    q.checks += 1;
    q.pending = [];
    q.scheduleCheckPendingRequests();
  };
  return q;
}

describe('the kafkajs idle-loop fix', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is written for the installed kafkajs (re-check kafkajs-idle-loop.ts when this fails)', () => {
    expect(installedKafkajsVersion()).toBe(KAFKAJS_VERSION_CHECKED);
  });

  it('unfixed, an idle queue re-arms a timer every millisecond (the upstream bug)', () => {
    const idle = queue();
    idle.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(100);
    // One check per timer tick: the loop the fix removes.
    expect(idle.checks).toBeGreaterThanOrEqual(50);
    clearTimeout(idle.throttleCheckTimeoutId ?? undefined);
  });

  it('fixed, an idle queue arms no timer at all', () => {
    expect(fixKafkajsIdleLoop()).toBe(true);
    const idle = queue();
    idle.scheduleCheckPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
    jest.advanceTimersByTime(100);
    expect(idle.checks).toBe(0);
  });

  it('fixed, waiting requests are still checked: every 10 ms, or when a throttle ends', () => {
    fixKafkajsIdleLoop();
    const waiting = queue([{}]);
    waiting.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(9);
    expect(waiting.checks).toBe(0);
    jest.advanceTimersByTime(1);
    expect(waiting.checks).toBe(1);
    jest.advanceTimersByTime(100);
    expect(waiting.checks).toBe(1);

    const throttled = queue([{}]);
    throttled.throttledUntil = Date.now() + 250;
    throttled.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(249);
    expect(throttled.checks).toBe(0);
    jest.advanceTimersByTime(1);
    expect(throttled.checks).toBe(1);
  });
});
