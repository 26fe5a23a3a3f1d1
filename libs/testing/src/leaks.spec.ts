import { leakKinds } from './leaks';

describe('leakKinds', () => {
  it('finds a secret the test sent, verbatim', () => {
    expect(leakKinds('{"msg":"login","pw":"pw-123abc"}', ['pw-123abc'])).toEqual([
      'a secret a test sent',
    ]);
  });

  it.each([
    ['JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['password hash', 'hash $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA'],
    ['email address', 'user ada.lovelace+shop@example.co.uk signed in'],
    ['card number', 'card 4111 1111 1111 1111 charged'],
    ['card number', 'card 5555-5555-5555-4444 charged'],
  ])('finds the shape of a %s', (kind, text) => {
    expect(leakKinds(text, [])).toEqual([kind]);
  });

  it.each([
    ['a trace id', 'trace_id 5b8efff798038103d269b633813fc60c'],
    ['a digit run that fails the Luhn check', 'order 4111111111111112 placed'],
    ['a uuid', 'order 0b7a3c1e-3f7d-4c1b-9a57-2f8e1d6c4b90'],
    ['a redacted field', '{"email":"[Redacted]","authorization":"[Redacted]"}'],
  ])('lets %s through', (_what, text) => {
    expect(leakKinds(text, ['pw-not-there'])).toEqual([]);
  });
});
