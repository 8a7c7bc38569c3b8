import { codeOfQrUrl, qrKey, qrUrlOf } from './qr';

describe('cabinet QR URLs', () => {
  const key = qrKey({ KIOSK_QR_SECRET: '', JWT_SECRET: 'x'.repeat(32) });

  it('a URL we signed names its cabinet, behind any host', () => {
    const url = qrUrlOf('http://localhost:3000/', 'WZ-CBD-01', key);
    expect(url).toMatch(/^http:\/\/localhost:3000\/k\/WZ-CBD-01\?t=[A-Za-z0-9_-]{22}$/);
    expect(codeOfQrUrl(url, key)).toBe('WZ-CBD-01');
    expect(codeOfQrUrl(url.replace('http://localhost:3000', 'https://kiosk.example.cn'), key)).toBe(
      'WZ-CBD-01',
    );
  });

  it('a forged or altered URL names nothing', () => {
    const url = qrUrlOf('http://localhost:3000', 'WZ-CBD-01', key);
    expect(codeOfQrUrl(url.replace('WZ-CBD-01', 'WZ-CBD-02'), key)).toBeNull();
    expect(codeOfQrUrl(url.slice(0, -1) + (url.endsWith('A') ? 'B' : 'A'), key)).toBeNull();
    expect(codeOfQrUrl(url.split('?')[0], key)).toBeNull();
    expect(
      codeOfQrUrl(
        qrUrlOf(
          'http://localhost:3000',
          'WZ-CBD-01',
          qrKey({ KIOSK_QR_SECRET: 'another-secret-0123', JWT_SECRET: '' }),
        ),
        key,
      ),
    ).toBeNull();
    expect(codeOfQrUrl('not a url', key)).toBeNull();
    expect(codeOfQrUrl('http://localhost:3000/k/%E0%A4%A?t=abc', key)).toBeNull();
  });
});
