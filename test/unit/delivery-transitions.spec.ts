import { DeliveryStatus as S } from '../../src/lifecycle/delivery-status';
import { decideReport, isAllowedTransition } from '../../src/lifecycle/delivery-transitions';

describe('delivery state machine', () => {
  it.each([
    [S.Sending, 'ACCEPTED', S.Delivered],
    [S.RetryWait, 'APPROVED', S.Approved],
    [S.AwaitingPickup, 'PROCESSING', S.Processing],
    [S.Delivered, 'PROCESSING', S.Processing],
    [S.Delivered, 'REJECTED', S.Rejected],
    [S.Processing, 'APPROVED', S.Approved],
    [S.Delivered, 'RESEND', S.RetryWait],
    [S.Processing, 'RESEND', S.RetryWait],
    // The department holds a case we had given up on: its word wins.
    [S.DeadLettered, 'PROCESSING', S.Processing],
  ] as const)('%s + %s → %s', (from, reported, to) => {
    expect(decideReport(from, reported)).toEqual({ kind: 'apply', to });
  });

  it.each([
    [S.Delivered, 'ACCEPTED'],
    [S.Processing, 'PROCESSING'],
    [S.Approved, 'APPROVED'],
    [S.RetryWait, 'RESEND'],
  ] as const)('%s + %s changes nothing (a repeated report)', (from, reported) => {
    expect(decideReport(from, reported)).toEqual({ kind: 'duplicate' });
  });

  it.each([
    [S.Approved, 'PROCESSING'],
    [S.Approved, 'REJECTED'],
    [S.Rejected, 'APPROVED'],
    [S.Processing, 'ACCEPTED'],
    [S.Approved, 'RESEND'],
  ] as const)('%s + %s is refused as illegal', (from, reported) => {
    const decision = decideReport(from, reported);
    expect(decision.kind).toBe('illegal');
  });

  it('lets only a replay take a delivery out of REJECTED', () => {
    expect(isAllowedTransition(S.Rejected, S.Pending)).toBe(true);
    expect(isAllowedTransition(S.Rejected, S.Delivered)).toBe(false);
    expect(isAllowedTransition(S.Approved, S.Pending)).toBe(false);
    expect(isAllowedTransition(S.Sending, S.Delivered)).toBe(true);
  });
});
