/** Senders take only what the PHI gate released: tests that call a sender directly get it released by a real gate. */
import type { OutboundToSend } from '../../src/channels/channel-sender';
import { createPhiServices } from '../../src/consent/phi-services';
import type { GatedMessage } from '../../src/consent/phi-gate';
import { KeyRing } from '../../src/phi/key-ring';

const { gate } = createPhiServices({ publicUrl: 'http://127.0.0.1' }, new KeyRing(KeyRing.generateSpec()));

export function released<T extends OutboundToSend>(message: T): T & GatedMessage {
  return gate.releaseWithoutPhi(message);
}
