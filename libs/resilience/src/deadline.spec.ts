import { currentDeadline, outboundDeadline, remainingMs, runWithDeadline } from './deadline';

describe('deadline propagation', () => {
  it('gives an outbound call its own budget outside a request', () => {
    expect(outboundDeadline(500, 1_000)).toBe(1_500);
    expect(currentDeadline()).toBeUndefined();
  });

  it('caps the outbound budget by the inbound remaining time', async () => {
    await runWithDeadline(1_200, async () => {
      await Promise.resolve();
      expect(outboundDeadline(500, 1_000)).toBe(1_200);
      expect(outboundDeadline(100, 1_000)).toBe(1_100);
      expect(remainingMs(1_000)).toBe(200);
    });
  });

  it('never extends an outer deadline', () => {
    runWithDeadline(1_000, () =>
      runWithDeadline(5_000, () => expect(currentDeadline()).toBe(1_000)),
    );
  });
});
