import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBlobStore } from '../../platform/blob/filesystem-blob-store';
import type { SendEmailCommand } from '../../platform/messages/message-contracts';
import { EmailChannel, INLINE_ATTACHMENT_BYTES } from './email-channel';
import type { EmailIntegrationOptions } from './email-integration.options';
import type { EmailSenders } from './email-senders';

describe('EmailChannel staging', () => {
  const root = mkdtempSync(join(tmpdir(), 'email-channel-'));
  const blobs = new FilesystemBlobStore(root, false);
  const channel = new EmailChannel({} as EmailSenders, { maxMessageBytes: 10 * 1024 * 1024 } as EmailIntegrationOptions, blobs);
  const large = Buffer.alloc(INLINE_ATTACHMENT_BYTES + 3, 7);
  const command: SendEmailCommand = {
    connectionId: 'conn-1',
    to: ['dev@receiver.example'],
    from: 'factory@platform.example',
    subject: 'staged',
    text: 'x',
    attachments: [
      { filename: 'small.txt', contentType: 'text/plain', contentBase64: Buffer.from('small').toString('base64') },
      { filename: 'large.bin', contentType: 'application/octet-stream', contentBase64: large.toString('base64') },
      { filename: 'theirs.bin', contentType: 'application/octet-stream', blobRef: 'uploads/theirs.bin' },
    ],
  };

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('moves only attachments above the inline limit to blobs, and settle removes only those', async () => {
    await blobs.put('tenant-a', 'uploads/theirs.bin', Buffer.from('caller owned'));
    const staged = await channel.stage('tenant-a', 'msg-1', command);
    expect(staged.attachments).toEqual([
      command.attachments![0],
      { filename: 'large.bin', contentType: 'application/octet-stream', blobRef: 'messages/msg-1/attachment-1' },
      command.attachments![2],
    ]);
    expect(JSON.stringify(staged).length).toBeLessThan(2048);
    const blob = await blobs.get('tenant-a', 'messages/msg-1/attachment-1');
    expect(blob?.data.equals(large)).toBe(true);
    expect(blob?.properties.contentType).toBe('application/octet-stream');

    await channel.settle('tenant-a', 'msg-1', staged);
    expect(await blobs.exists('tenant-a', 'messages/msg-1/attachment-1')).toBe(false);
    expect(await blobs.exists('tenant-a', 'uploads/theirs.bin')).toBe(true);
  });

  it('leaves a command with only small attachments as it is', async () => {
    const small = { ...command, attachments: [command.attachments![0]] };
    expect(await channel.stage('tenant-a', 'msg-2', small)).toBe(small);
  });
});
