import { formatRequestId, formatResponseId } from '../../src/duis/duis-message.js';
import type { ReferenceDocument } from '../../src/reference/reference-document.js';
import { timeOf } from './plain-rules.js';
import type { VisibilityCase } from './visibility-case.js';
import { DAY, T0 } from './world-constants.js';

/** A time relative to the first boundary: `D2` = T0 + 2 days, `D2-1ms`, `D3-12h`. */
export function relTime(t: number | null): string {
  if (t === null) return '∞';
  const rel = t - T0;
  const k = Math.round(rel / DAY);
  const off = rel - k * DAY;
  if (off === 0) return `D${k}`;
  return Math.abs(off) < 1000 ? `D${k}${off > 0 ? '+' : ''}${off}ms` : `D${k}${off > 0 ? '+' : ''}${off / 3_600_000}h`;
}

const period = (p: { from: number; to: number | null }) => `[${relTime(p.from)}, ${relTime(p.to)})`;

function describeDocument(doc: ReferenceDocument): string[] {
  const lines: string[] = [];
  for (const p of doc.parties) {
    const ids = p.userIds.map((u) => `${u.role} ${u.userId}`).join(', ');
    lines.push(`  party ${p.id}${p.operator ? ' (operator)' : ''}: ${ids || 'no User IDs'}`);
  }
  for (const l of doc.links) lines.push(`  links ${l.deviceId}: ${l.history.map((h) => `${h.mpxn} ${period(h)}`).join(', ') || 'erased'}`);
  for (const r of doc.registrations) lines.push(`  registrations ${r.mpxn} ${r.role}: ${r.history.map((h) => `${h.partyId} ${period(h)}`).join(', ') || 'erased'}`);
  for (const c of doc.certificates) lines.push(`  certificates ${c.deviceId}: ${c.history.map((h) => `${h.partyId} ${period(h)}`).join(', ') || 'erased'}`);
  return lines.length ? lines : ['  (nothing)'];
}

/** A readable listing of a case, for fast-check's counterexample report. */
export function describeCase(c: VisibilityCase): string {
  const lines = [`(times: Dk = ${new Date(T0).toISOString()} + k days)`, `reference (step ${c.referenceAt}):`, ...describeDocument(c.reference)];
  if (c.correction) lines.push(`correction (step ${c.correctionAt}):`, ...describeDocument(c.correction));
  lines.push('messages:');
  c.messages.forEach((cm, i) => {
    const m = cm.message;
    const ids = [m.requestId && `RequestID ${formatRequestId(m.requestId)}`, m.responseId && `ResponseID ${formatResponseId(m.responseId)}`];
    lines.push(
      `  #${i} ${m.kind} ${m.serviceReferenceVariant ?? ''} ${m.responseCode ?? ''} ${ids.filter(Boolean).join(' ')} ` +
        `devices [${m.deviceIds.join(', ')}] received ${relTime(cm.receivedAt)} t=${relTime(timeOf(cm))}`,
    );
  });
  lines.push(`batches: ${JSON.stringify(c.batches)}`);
  lines.push(
    `checkpoint: ${c.checkpointAt ?? 'none'}; limit ${c.limit}; filters deviceId ${c.filterDevice}, kind ${c.filterKind}, mpxn ${c.filterMpxn}, ${c.filterStrategy}; ` +
      `device summaries ${c.summaryCheck ? 'checked' : 'not checked'}`,
  );
  return lines.join('\n');
}
