import express from 'express';
import { z } from 'zod';
import {
  parseTrustedProxies,
  refineTrustedProxies,
  trustedProxyEnv,
  trustProxySetting,
} from './trusted-proxies';

/** The client address express derives for a request from `peer` carrying `forwardedFor`. */
function clientAddress(
  setting: ReturnType<typeof trustProxySetting>,
  peer: string,
  forwardedFor?: string,
): string | undefined {
  const app = express();
  app.set('trust proxy', setting);
  const request = Object.create(app.request, {
    app: { value: app },
    headers: { value: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} },
    socket: { value: { remoteAddress: peer } },
    connection: { value: { remoteAddress: peer } },
  }) as express.Request;
  return request.ip;
}

describe('the client address behind proxies', () => {
  const nobody = trustProxySetting({ TRUSTED_PROXY_HOPS: 0, TRUSTED_PROXIES: [] });

  it('trusts nobody by default: a forwarded address from anywhere is ignored', () => {
    expect(nobody).toBe(false);
    expect(clientAddress(nobody, '127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
    expect(clientAddress(nobody, '10.1.2.3', '203.0.113.7')).toBe('10.1.2.3');
    expect(clientAddress(nobody, '192.168.1.5', '203.0.113.7')).toBe('192.168.1.5');
  });

  it('with one trusted hop takes the address that hop appended, not what the client sent', () => {
    const oneHop = trustProxySetting({ TRUSTED_PROXY_HOPS: 1, TRUSTED_PROXIES: [] });
    // The client sent "198.51.100.1"; the ingress appended the address it saw.
    expect(clientAddress(oneHop, '10.0.0.9', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('with proxy addresses trusts only those peers', () => {
    const loopback = trustProxySetting({
      TRUSTED_PROXY_HOPS: 0,
      TRUSTED_PROXIES: parseTrustedProxies('loopback'),
    });
    expect(clientAddress(loopback, '127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    // A private-network client is no proxy: its own header is ignored.
    expect(clientAddress(loopback, '10.1.2.3', '203.0.113.7')).toBe('10.1.2.3');
    const subnet = trustProxySetting({
      TRUSTED_PROXY_HOPS: 0,
      TRUSTED_PROXIES: parseTrustedProxies('10.0.0.0/24'),
    });
    expect(clientAddress(subnet, '10.0.0.9', '203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress(subnet, '10.0.1.9', '203.0.113.7')).toBe('10.0.1.9');
  });

  it('parses proxy lists and refuses what is not an address', () => {
    expect(parseTrustedProxies(' loopback, 10.0.0.0/8 ,::1,fd00::/8 ')).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
    expect(parseTrustedProxies('')).toEqual([]);
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/8/1', 'everyone', '*']) {
      expect(() => parseTrustedProxies(bad)).toThrow(/is not an address/);
    }
  });
});

describe('the trusted-proxy environment', () => {
  const schema = z.object(trustedProxyEnv).superRefine(refineTrustedProxies);

  it('trusts nobody unless told, and reads hops or proxy ranges', () => {
    expect(schema.parse({})).toEqual({ TRUSTED_PROXY_HOPS: 0, TRUSTED_PROXIES: [] });
    expect(schema.parse({ TRUSTED_PROXY_HOPS: '1' }).TRUSTED_PROXY_HOPS).toBe(1);
    expect(schema.parse({ TRUSTED_PROXIES: 'loopback' }).TRUSTED_PROXIES).toEqual(['loopback']);
  });

  it('refuses both at once, and a range that is not one', () => {
    const both = schema.safeParse({ TRUSTED_PROXY_HOPS: '1', TRUSTED_PROXIES: 'loopback' });
    expect(both.success ? [] : both.error.issues.map((i) => i.message)).toEqual([
      'set TRUSTED_PROXY_HOPS or TRUSTED_PROXIES, not both',
    ]);
    expect(schema.safeParse({ TRUSTED_PROXIES: 'everyone' }).success).toBe(false);
  });
});
