import { InProcessLiveEvents, LiveEvent } from './live-events';
import { scopeToSee } from './live-event-scopes';

const event = (type: string): LiveEvent => ({ id: `${type}-1`, type, time: '2026-12-03T00:00:00Z' });

describe('InProcessLiveEvents', () => {
  it("reaches the tenant's listeners only, and none after they leave", () => {
    const live = new InProcessLiveEvents();
    const a: string[] = [];
    const b: string[] = [];
    const leaveA = live.subscribe('tenant-a', (received) => a.push(received.type));
    live.subscribe('tenant-b', (received) => b.push(received.type));
    live.publish('tenant-a', event('one'));
    leaveA();
    live.publish('tenant-a', event('two'));
    live.publish('tenant-b', event('three'));
    expect(a).toEqual(['one']);
    expect(b).toEqual(['three']);
    expect(live.watching('tenant-a')).toBe(false);
  });

  it('keeps delivering to the others when one listener throws', () => {
    const live = new InProcessLiveEvents();
    const received: string[] = [];
    live.subscribe('t', () => {
      throw new Error('broken stream');
    });
    live.subscribe('t', (delivered) => received.push(delivered.id));
    expect(() => live.publish('t', event('x'))).not.toThrow();
    expect(received).toEqual(['x-1']);
  });
});

describe('scopeToSee', () => {
  it('asks for the scope that reads what the event is about', () => {
    expect(scopeToSee('DeliveryAttempted')).toBe('webhooks.deliveries.read');
    expect(scopeToSee('com.example.push')).toBe('webhooks.deliveries.read');
    expect(scopeToSee('IntegrationFailed')).toBe('integration.runs.read');
    expect(scopeToSee('ExternalApiHealthChanged')).toBe('integration.connections.read');
  });
});
