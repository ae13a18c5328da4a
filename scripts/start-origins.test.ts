import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startAddresses } from './start-origins';

function iface(address: string, family: 'IPv4' | 'IPv6', internal: boolean): NetworkInterfaceInfo {
  const common = { address, netmask: family === 'IPv4' ? '255.255.255.0' : 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4' ? { ...common, family } : { ...common, family, scopeid: 0 };
}

const INTERFACES = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4', false), iface('fe80::1', 'IPv6', false)],
  wlan0: [iface('10.0.0.7', 'IPv4', false)],
};

describe('npm start addresses', () => {
  it('on loopback allows the page and the widget example on 127.0.0.1 and localhost', () => {
    expect(startAddresses('127.0.0.1', 5173, 5174, INTERFACES)).toEqual({
      hosts: ['127.0.0.1'],
      origins: ['http://127.0.0.1:5173', 'http://127.0.0.1:5174', 'http://localhost:5173', 'http://localhost:5174'],
    });
    expect(startAddresses('localhost', 5173, 5174, INTERFACES).hosts).toEqual(['127.0.0.1']);
  });

  it('on 0.0.0.0 lists the LAN IPv4 addresses (never 0.0.0.0) and allows them', () => {
    const { hosts, origins } = startAddresses('0.0.0.0', 5173, 5174, INTERFACES);
    expect(hosts).toEqual(['127.0.0.1', '192.168.1.20', '10.0.0.7']);
    expect(origins).toEqual([
      'http://127.0.0.1:5173', 'http://127.0.0.1:5174',
      'http://192.168.1.20:5173', 'http://192.168.1.20:5174',
      'http://10.0.0.7:5173', 'http://10.0.0.7:5174',
      'http://localhost:5173', 'http://localhost:5174',
    ]);
    expect(origins.some((origin) => origin.includes('0.0.0.0'))).toBe(false);
    expect(startAddresses('::', 80, 81, {}).hosts).toEqual(['127.0.0.1']);
  });

  it('on one given address uses that one, IPv6 in brackets', () => {
    expect(startAddresses('192.168.1.20', 5173, 5174, INTERFACES)).toEqual({
      hosts: ['192.168.1.20'],
      origins: ['http://192.168.1.20:5173', 'http://192.168.1.20:5174'],
    });
    expect(startAddresses('fd00::5', 5173, 5174, {}).origins).toEqual(['http://[fd00::5]:5173', 'http://[fd00::5]:5174']);
  });
});
