import { canonicalJson, codeOfTopic, hasValidSignature, sign, signatureOf } from './protocol';

describe('cabinet protocol', () => {
  // API.md, "Cabinet protocol": the test vector, as written there.
  const message = JSON.parse(
    '{"type":"DOOR_CLOSED","id":"C001-1732838400000-7","ts":1732838400000,"sessionId":"s-42","slots":[{"weightGrams":502,"slotNo":1},{"slotNo":2,"weightGrams":1250}]}',
  ) as Record<string, unknown>;

  it('serialises with keys sorted at every level and no spaces', () => {
    expect(canonicalJson(message)).toBe(
      '{"id":"C001-1732838400000-7","sessionId":"s-42","slots":[{"slotNo":1,"weightGrams":502},{"slotNo":2,"weightGrams":1250}],"ts":1732838400000,"type":"DOOR_CLOSED"}',
    );
  });

  it('signs the test vector to the signature of API.md', () => {
    expect(signatureOf(message, 'test-secret')).toBe(
      'f4a75344dc97da5a5e14b5e322f0a17c27b8e7595e0d75f240c35098462a34ef',
    );
    expect(
      hasValidSignature(
        { ...message, sig: 'f4a75344dc97da5a5e14b5e322f0a17c27b8e7595e0d75f240c35098462a34ef' },
        'test-secret',
      ),
    ).toBe(true);
  });

  it('refuses an altered message, another secret, and a malformed signature', () => {
    const signed = sign(message, 'test-secret');
    expect(hasValidSignature(signed, 'test-secret')).toBe(true);
    expect(hasValidSignature({ ...signed, sessionId: 's-43' }, 'test-secret')).toBe(false);
    expect(hasValidSignature(signed, 'other-secret')).toBe(false);
    expect(hasValidSignature({ ...signed, sig: signed.sig.toUpperCase() }, 'test-secret')).toBe(false);
    expect(hasValidSignature({ ...signed, sig: 42 }, 'test-secret')).toBe(false);
    const { sig: _sig, ...unsigned } = signed;
    expect(hasValidSignature(unsigned, 'test-secret')).toBe(false);
  });

  it('reads the cabinet code of a topic', () => {
    expect(codeOfTopic('kiosk/C001/evt')).toBe('C001');
    expect(codeOfTopic('kiosk/C001/cmd')).toBe('C001');
    expect(codeOfTopic('kiosk/C001/evt/x')).toBeNull();
    expect(codeOfTopic('other/C001/evt')).toBeNull();
  });
});
