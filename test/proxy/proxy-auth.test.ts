import { describe, expect, it } from 'vitest';
import { ProxyAuth, parseCredential } from '../../src/proxy/proxy-auth.ts';

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

describe('parseCredential', () => {
  it.each([
    ['phone:secret', { user: 'phone', password: 'secret' }],
    ['lab-1.ipad_2~x:p:a:ss', { user: 'lab-1.ipad_2~x', password: 'p:a:ss' }],
    ['u:wörd mit leer', { user: 'u', password: 'wörd mit leer' }],
    ['phone', null],
    [':secret', null],
    ['phone:', null],
    ['ph one:secret', null],
    ['ph@ne:secret', null],
    ['phöne:secret', null],
    [`${'u'.repeat(65)}:secret`, null],
    ['phone:sec\nret', null],
    ['phone:sec\u007fret', null],
  ])('%j → %j', (text, credential) => {
    expect(parseCredential(text)).toEqual(credential);
  });
});

describe('ProxyAuth', () => {
  const auth = new ProxyAuth([
    { user: 'phone', password: 'pa:ss wörd' },
    { user: 'tablet', password: 'other' },
  ]);

  it.each<[string | undefined, string | null]>([
    [basic('phone:pa:ss wörd'), 'phone'],
    [basic('tablet:other'), 'tablet'],
    [`basic   ${Buffer.from('tablet:other').toString('base64')}  `, 'tablet'],
    [`BASIC ${Buffer.from('tablet:other').toString('base64')}`, 'tablet'],
    [basic('tablet:pa:ss wörd'), null],
    [basic('phone:pa:ss wörd '), null],
    [basic('phone:PA:SS WÖRD'), null],
    [basic('phone'), null],
    [basic(''), null],
    ['Basic', null],
    ['Basic !!!', null],
    ['Bearer dGFibGV0Om90aGVy', null],
    [`Basic ${Buffer.from('tablet:other').toString('base64')} extra`, null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (header, user) => {
    expect(auth.authenticate(header)).toBe(user);
  });

  it('requires credentials only when it has some', () => {
    expect(auth.required).toBe(true);
    expect(new ProxyAuth([]).required).toBe(false);
    expect(new ProxyAuth([]).authenticate(basic('a:b'))).toBeNull();
  });
});
