import { describe, expect, it } from 'vitest';
import { overallVerdict, signature, worst } from './report.ts';

describe('verdict ordering', () => {
  it('takes the worst verdict: invalid > revoked > expired > untrusted > indeterminate > valid', () => {
    expect(worst(['valid', 'indeterminate'])).toBe('indeterminate');
    expect(worst(['untrusted', 'indeterminate', 'valid'])).toBe('untrusted');
    expect(worst(['expired', 'untrusted'])).toBe('expired');
    expect(worst(['expired', 'revoked'])).toBe('revoked');
    expect(worst(['revoked', 'invalid', 'valid'])).toBe('invalid');
    expect(worst([])).toBe('valid');
  });

  it('lets only document layers decide the overall verdict', () => {
    const mailOnly = [signature('dkim', 'invalid'), signature('spf', 'invalid')];
    expect(overallVerdict(mailOnly)).toBe('unsigned');
    expect(overallVerdict([...mailOnly, signature('pdf', 'valid')])).toBe('valid');
    expect(overallVerdict([signature('dkim', 'valid'), signature('smime', 'expired'), signature('xml', 'valid')])).toBe('expired');
    expect(overallVerdict([])).toBe('unsigned');
  });

  it('fills every contract key', () => {
    expect(Object.keys(signature('pdf', 'valid')).sort()).toEqual([
      'attachment',
      'changes',
      'changesAfterSigning',
      'layer',
      'longTermValidation',
      'modifiedAfterSigning',
      'reasons',
      'signedAt',
      'signedRevision',
      'signer',
      'verdict',
    ]);
    expect(signature('smime', 'valid')).toMatchObject({
      modifiedAfterSigning: false,
      changesAfterSigning: 'none',
      changes: [],
      signedRevision: null,
      longTermValidation: null,
    });
  });
});
