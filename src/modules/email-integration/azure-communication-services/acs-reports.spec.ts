import type { CloudEvent } from '../../../platform/events/cloud-event';
import type { BlobStore } from '../../../platform/blob/blob-store';
import type { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import type { EmailIntegrationOptions } from '../email-integration.options';
import { stableGuid } from './acs-answers';
import { AcsEmailSender } from './acs-email.sender';
import { AcsSmsSender } from './acs-sms.sender';

const delivery = (events: unknown): CloudEvent => ({ data: events }) as CloudEvent;
const emailReport = (status: string) => ({
  id: `e-${status}`,
  eventType: 'Microsoft.Communication.EmailDeliveryReportReceived',
  data: { messageId: 'op-1', status, recipient: 'dev@receiver.example', deliveryStatusDetails: { statusMessage: `said ${status}` } },
});

describe('Azure Communication Services delivery reports', () => {
  const email = new AcsEmailSender({} as GovernedHttpClient, {} as BlobStore, {} as EmailIntegrationOptions);
  const sms = new AcsSmsSender({} as GovernedHttpClient);

  it.each([
    ['Delivered', 'Delivered'],
    ['Bounced', 'Bounced'],
    ['Suppressed', 'Bounced'],
    ['Failed', 'Failed'],
    ['FilteredSpam', 'Failed'],
    ['Quarantined', 'Failed'],
  ])('reads an email report %s as %s', (reported, recorded) => {
    const [report] = email.reports(delivery([emailReport(reported)]));
    expect(report).toMatchObject({ providerMessageId: 'op-1', status: recorded, detail: `${reported}: said ${reported}` });
    if (recorded !== 'Delivered') expect(report.failure).toMatchObject({ code: `acs_${reported}` });
    expect(JSON.stringify(report.failure ?? {})).not.toContain('receiver.example');
  });

  it('ignores Expanded, other event types and malformed events, in either schema', () => {
    expect(email.reports(delivery([emailReport('Expanded')]))).toEqual([]);
    expect(email.reports(delivery([{ id: 'x', eventType: 'Microsoft.Communication.SMSDeliveryReportReceived', data: { messageId: 'm', deliveryStatus: 'Delivered' } }]))).toEqual(
      [],
    );
    expect(email.reports(delivery([{ id: 'x' }, null, 'text']))).toEqual([]);
    // A CloudEvents 1.0 delivery names the type in `type`.
    const cloudEvent = { id: 'c', type: 'Microsoft.Communication.EmailDeliveryReportReceived', specversion: '1.0', data: { messageId: 'op-2', status: 'Delivered' } };
    expect(email.reports(delivery(cloudEvent))).toEqual([{ providerMessageId: 'op-2', status: 'Delivered', detail: 'Delivered' }]);
  });

  it('reads SMS reports: Delivered, anything else Failed with its details', () => {
    const events = [
      { id: '1', eventType: 'Microsoft.Communication.SMSDeliveryReportReceived', data: { messageId: 'm-1', deliveryStatus: 'Delivered' } },
      { id: '2', eventType: 'Microsoft.Communication.SMSDeliveryReportReceived', data: { MessageId: 'm-2', DeliveryStatus: 'Expired', DeliveryStatusDetails: 'No answer' } },
    ];
    expect(sms.reports(delivery(events))).toEqual([
      { providerMessageId: 'm-1', status: 'Delivered', detail: 'Delivered' },
      expect.objectContaining({ providerMessageId: 'm-2', status: 'Failed', detail: 'Expired: No answer', failure: expect.objectContaining({ code: 'acs_Expired' }) }),
    ]);
  });

  it('derives stable GUIDs: the same for every attempt of a message, different per purpose and message', () => {
    const guid = stableGuid('acs-sms', 'msg-1');
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableGuid('acs-sms', 'msg-1')).toBe(guid);
    expect(stableGuid('acs-email', 'msg-1')).not.toBe(guid);
    expect(stableGuid('acs-sms', 'msg-2')).not.toBe(guid);
  });
});
