/**
 * Stage "classify": what the message is (document, status, correspondence, automated) and, for a
 * document, its metadata as a clerk would write it in the book. The result is the `vanthu classify`
 * contract shape; the register stage decides on it.
 */
import { classifyMessage } from '../../gateway/documents/index.ts';
import type { Stage } from '../pipeline.ts';

export const classifyStage: Stage = {
  name: 'classify',
  doneState: 'classified',
  async run({ message, blobs }) {
    return classifyMessage(await blobs.read(message.blobSha256), { now: message.receivedAt });
  },
};
