import type { MessageKind } from '../duis/duis-message.js';

/** Message kinds as stored in `messages.kind`. Persisted: never renumber, only add. */
export const KIND_CODES: Readonly<Record<MessageKind, number>> = {
  request: 1,
  acknowledgement: 2,
  response: 3,
  'device-alert': 4,
  'dcc-alert': 5,
};

const KINDS_BY_CODE = new Map<number, MessageKind>(
  Object.entries(KIND_CODES).map(([kind, code]) => [code, kind as MessageKind]),
);

/** The kind stored under `code`; throws on a code this version does not know (a newer schema). */
export function kindOfCode(code: number): MessageKind {
  const kind = KINDS_BY_CODE.get(Number(code));
  if (!kind) throw new Error(`unknown message kind code ${code}`);
  return kind;
}
