import { FieldCipher } from './field-cipher';
import { maskBankAccount, maskIdNumber, maskName, maskPhone } from './mask';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('FieldCipher', () => {
  const cipher = new FieldCipher(KEY);

  it('round-trips and never stores the plain text', () => {
    const stored = cipher.encrypt('500101199001011234');
    expect(stored).not.toContain('500101199001011234');
    expect(stored.startsWith('v1.')).toBe(true);
    expect(cipher.decrypt(stored)).toBe('500101199001011234');
    expect(cipher.encrypt('500101199001011234')).not.toBe(stored); // fresh IV each time
  });

  it('refuses a tampered ciphertext', () => {
    const [v, iv, tag, ct] = cipher.encrypt('13800138000').split('.');
    const flipped = Buffer.from(ct, 'base64');
    flipped[0] ^= 1;
    expect(() => cipher.decrypt([v, iv, tag, flipped.toString('base64')].join('.'))).toThrow();
  });

  it('blind index is deterministic, case-insensitive, and keyed', () => {
    expect(cipher.blindIndex('50010119900101123x')).toBe(cipher.blindIndex('50010119900101123X'));
    expect(new FieldCipher(Buffer.alloc(32, 8).toString('base64')).blindIndex('a')).not.toBe(
      cipher.blindIndex('a'),
    );
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new FieldCipher(Buffer.alloc(16).toString('base64'))).toThrow(RangeError);
  });
});

describe('masks', () => {
  it('mask as the API shows them', () => {
    expect(maskIdNumber('500101199001011234')).toBe('5001**********1234');
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskBankAccount('6222020200112233445')).toBe('***************3445');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('李');
  });
});
