import { RequestContext } from '../context/request-context';
import { continueTrace, traceHeaders } from '../observability/tracing';
import { assertCloudEvent, buildCloudEvent, cloudEventProblems, InvalidCloudEventError } from './cloud-event';

describe('CloudEvents envelope', () => {
  it('fills id, time, tenant and trace from the scope in which it is built', () => {
    const trace = continueTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const event = RequestContext.run({ tenantId: 'tenant-a', trace }, () =>
      buildCloudEvent({ type: 'com.vendor.pull_request.opened', source: '/webhooks/conn-1', data: { number: 7 }, subject: 'pr/7' }),
    );
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'com.vendor.pull_request.opened',
      source: '/webhooks/conn-1',
      subject: 'pr/7',
      tenantid: 'tenant-a',
      datacontenttype: 'application/json',
      data: { number: 7 },
      traceparent: traceHeaders(trace).traceparent,
    });
    expect(event.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.time)).not.toBeNaN();
  });

  it('keeps explicit attributes and extensions', () => {
    const event = buildCloudEvent({
      id: 'evt-1',
      type: 'com.vendor.invoice.paid',
      source: 'https://api.vendor.example',
      tenantid: 'tenant-b',
      time: new Date('2026-01-01T00:00:00Z'),
      extensions: { connectionid: 'conn-9' },
    });
    expect(event).toMatchObject({ id: 'evt-1', time: '2026-01-01T00:00:00.000Z', tenantid: 'tenant-b', connectionid: 'conn-9' });
    expect(event).not.toHaveProperty('data');
  });

  it('refuses to build an event without a tenant', () => {
    expect(() => buildCloudEvent({ type: 'x', source: '/x' })).toThrow(InvalidCloudEventError);
  });

  it('lists every problem of an invalid envelope', () => {
    expect(
      cloudEventProblems({
        specversion: '0.3',
        id: '',
        source: 'has spaces',
        type: 'ok',
        time: 'yesterday',
        tenantid: 't',
        traceparent: 'garbage',
        data: {},
        data_base64: 'AA==',
        BadExtension: 1,
        nested: { no: true },
      }),
    ).toEqual([
      'specversion must be "1.0"',
      'id must be a non-empty string',
      'source must be a URI-reference',
      'time must be an RFC 3339 timestamp',
      'traceparent must be a valid W3C traceparent',
      'data and data_base64 are mutually exclusive',
      'extension attribute "BadExtension" must be 1-20 lower-case letters or digits',
      'extension attribute "nested" must be a string, number or boolean',
    ]);
    expect(cloudEventProblems('text')).toEqual(['an event must be a JSON object']);
  });

  it('accepts a valid envelope parsed from JSON', () => {
    const wire = JSON.parse(
      '{"specversion":"1.0","id":"1","source":"urn:factory:builds","type":"factory.build.finished","time":"2026-11-27T10:00:00+02:00","tenantid":"t1","data":{"ok":true}}',
    );
    expect(() => assertCloudEvent(wire)).not.toThrow();
  });
});
