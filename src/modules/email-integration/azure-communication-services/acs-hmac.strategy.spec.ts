import { createHash, createHmac } from 'node:crypto';
import { accessKeyOf, acsSignatureHeaders, endpointOf } from './acs-hmac.strategy';

describe('the Azure Communication Services HMAC signature', () => {
  const key = Buffer.from('acs-test-access-key-0123456789abcdef');
  const body = '{"senderAddress":"noreply@contoso.example","content":{"subject":"hi"}}';
  const now = new Date('2026-12-01T10:00:00Z');

  it('signs VERB, path and query, and date;host;content-hash as Azure documents it', () => {
    const headers = acsSignatureHeaders(
      { method: 'post', url: new URL('https://contoso.communication.azure.com/emails:send?api-version=2023-03-31'), headers: {}, body },
      key,
      now,
    );
    const contentHash = createHash('sha256').update(body).digest('base64');
    // The string to sign, written out as the documentation spells it (not rebuilt by the code under test).
    const stringToSign = `POST\n/emails:send?api-version=2023-03-31\nTue, 01 Dec 2026 10:00:00 GMT;contoso.communication.azure.com;${contentHash}`;
    expect(headers).toEqual({
      'x-ms-date': 'Tue, 01 Dec 2026 10:00:00 GMT',
      'x-ms-content-sha256': contentHash,
      authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${createHmac('sha256', key).update(stringToSign).digest('base64')}`,
    });
  });

  it('hashes an empty body and keeps a non-default port in the signed host', () => {
    const headers = acsSignatureHeaders({ method: 'GET', url: new URL('http://127.0.0.1:8443/emails/operations/op-1?api-version=2023-03-31'), headers: {} }, key, now);
    const emptyHash = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
    expect(headers['x-ms-content-sha256']).toBe(emptyHash);
    const stringToSign = `GET\n/emails/operations/op-1?api-version=2023-03-31\nTue, 01 Dec 2026 10:00:00 GMT;127.0.0.1:8443;${emptyHash}`;
    expect(headers.authorization).toContain(`Signature=${createHmac('sha256', key).update(stringToSign).digest('base64')}`);
  });

  it('reads the key from a bare base64 key or a connection string, and refuses anything else', () => {
    const base64 = key.toString('base64');
    expect(accessKeyOf(base64)).toEqual(key);
    const connectionString = `endpoint=https://contoso.communication.azure.com/;accesskey=${base64}`;
    expect(accessKeyOf(connectionString)).toEqual(key);
    expect(endpointOf(connectionString)).toBe('https://contoso.communication.azure.com/');
    expect(() => accessKeyOf('not a key!')).toThrow(/access key/);
  });
});
