import { link as Link, Sender } from 'rhea';

/**
 * rhea keeps a link's flow state and its local attach frame on the link object, but its typings leave
 * them out. Every use of those internals is here, so the rest of the peer sees only typed functions.
 */
interface LocalAttachFields {
  snd_settle_mode?: number;
  rcv_settle_mode?: number;
  max_message_size?: number;
}

interface SenderInternals {
  credit: number;
  delivery_count: number;
  _draining: boolean;
  _drained: boolean;
  _get_drain(): boolean;
  local: { attach: LocalAttachFields };
}

/** Sets fields of the attach frame the peer answers with (rhea writes it on its next output pass). */
export function setLocalAttach(link: Link, fields: LocalAttachFields): void {
  Object.assign((link as unknown as SenderInternals).local.attach, fields);
}

/**
 * The receiver's delivery limit: the delivery-count it has seen plus the credit it granted. rhea only
 * counts a delivery once its transfer is written, so deliveries queued in this tick are not in it yet.
 */
export function creditLimit(sender: Sender): number {
  const internals = sender as unknown as SenderInternals;
  return internals.delivery_count + internals.credit;
}

/**
 * rhea echoes a drain only while credit is left. When transfers already in flight used the credit up,
 * AMQP 1.0 (2.6.7) still wants a flow with drain=true, and the Service Bus SDK waits for it (or closes
 * the link after its drain timeout).
 */
export function echoDrainEvenWithoutCredit(sender: Sender): void {
  const internals = sender as unknown as SenderInternals;
  internals._get_drain = function getDrain(this: SenderInternals): boolean {
    if (!this._draining || !this._drained) return false;
    this.delivery_count += this.credit;
    this.credit = 0;
    this._drained = false;
    return true;
  };
}
