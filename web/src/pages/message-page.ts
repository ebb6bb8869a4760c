/* `/messages/{id}`: header, catalogue facts, code meanings, why it is visible, the thread and the original XML. */
import type { MessageDetail } from '../api-types.js';
import { request } from '../api.js';
import { ROLE_NAMES } from '../catalogue.js';
import { append, badge, definitions, h, replace } from '../dom.js';
import { handleFailure, notFoundPage } from '../layout.js';
import { deviceLink, messageBadges } from '../message-table.js';
import type { PageContext } from '../router.js';
import { formatTime } from '../timeline.js';
import { prettyXml } from '../xml-pretty.js';

export async function messagePage(context: PageContext): Promise<void> {
  const { root, params } = context;
  const id = params.id ?? '';
  if (!/^[0-9]{1,16}$/.test(id)) return notFoundPage(context, 'This message');
  append(root, h('h1', null, `Message #${id}`), h('p', null, 'Loading…'));
  let m: MessageDetail;
  try {
    m = await request<MessageDetail>(`/api/v1/messages/${encodeURIComponent(id)}`);
  } catch (err) {
    handleFailure(context, err, 'This message');
    return;
  }
  const srv = m.catalogue.srv;
  const title = m.srv ? `SRV ${m.srv}${m.srvName ? ` ${m.srvName}` : ''}` : m.kind;
  const xmlText = prettyXml(m.xml);
  const copyStatus = h('span', { role: 'status', class: 'help' });
  replace(root, 
    h('h1', null, `${title} — ${m.kind} #${m.id}`),
    h('p', { class: 'badges' }, messageBadges(m)),
    h(
      'section',
      { 'aria-labelledby': 'why' },
      h('h2', { id: 'why' }, 'Why can I see this?'),
      h('ul', { class: 'reasons' }, m.reasons.map((r) => h('li', null, r.text))),
    ),
    h(
      'section',
      { 'aria-labelledby': 'hdr' },
      h('h2', { id: 'hdr' }, 'Header'),
      definitions([
        ['Kind', m.kind],
        ['Time t(M)', formatTime(m.time)],
        ['Received', formatTime(m.receivedAt)],
        ['Request ID', m.requestId],
        ['Response ID', m.responseId],
        ['Originator User ID', m.originatorId === null ? null : m.originatorRole ? `${m.originatorId} (${m.originatorRole})` : m.originatorId],
        ['Target', m.targetId],
        ['Devices', m.deviceIds.length ? m.deviceIds.flatMap((d, i) => (i ? [' ', deviceLink(d)] : [deviceLink(d)])) : null],
        ['Service reference', m.header.serviceReference === null ? null : String(m.header.serviceReference)],
        ['Command variant', m.commandVariant === null ? null : String(m.commandVariant)],
        ['Responder', m.header.responderId === null ? null : String(m.header.responderId)],
        ['Recipient', m.header.recipientId === null ? null : String(m.header.recipientId)],
        ['Body element', m.header.bodyElement === null ? null : String(m.header.bodyElement)],
        ['GBCS payload', m.header.hasGbcsPayload ? 'yes' : 'no'],
        ['Schema version', m.header.schemaVersion === null ? null : String(m.header.schemaVersion)],
      ]),
    ),
    h(
      'section',
      { 'aria-labelledby': 'cat' },
      h('h2', { id: 'cat' }, 'Catalogue'),
      srv
        ? definitions([
            ['SRV', `${srv.variant} ${srv.name}`],
            ['Critical', srv.critical ? 'yes (signed by the User)' : 'no'],
            ['Category', srv.category],
            ['Security relevant', srv.securityRelevant ? `yes: ${srv.securityReasons.join(', ')}` : 'no'],
            ['Eligible roles', srv.eligibleRoles.length ? srv.eligibleRoles.map((r) => `${r} (${ROLE_NAMES[r] ?? r})`).join(', ') : 'none listed'],
            ['Addressed to', srv.nonDevice ? 'the DCC (non-device)' : 'a device'],
          ])
        : h('p', null, m.srv ? `SRV ${m.srv} is not in the catalogue.` : 'No SRV (an alert).'),
      m.catalogue.responseCode &&
        definitions([[`Response code ${m.catalogue.responseCode.code}`, `${m.catalogue.responseCode.name}: ${m.catalogue.responseCode.meaning} (${m.catalogue.responseCode.outcome})`]]),
      m.catalogue.alert && definitions([[`Alert ${m.catalogue.alert.code}`, m.catalogue.alert.meaning]]),
      m.responseCode && !m.catalogue.responseCode && definitions([['Response code', `${m.responseCode} (not in the catalogue)`]]),
    ),
    h(
      'section',
      { 'aria-labelledby': 'thr' },
      h('h2', { id: 'thr' }, 'Thread'),
      m.thread
        ? [
            h('p', null, `Request ${m.thread.requestId}: ${m.thread.status}. Members you may see:`),
            h(
              'ol',
              { class: 'thread' },
              m.thread.members.map((t) =>
                h('li', null, t.id === m.id ? h('strong', { 'aria-current': 'page' }, `${t.kind} (this message)`) : h('a', { href: `/messages/${t.id}` }, t.kind), ` · ${formatTime(t.time)}`,
                  t.responseCode ? ` · ${t.responseCode}` : '', t.own ? '' : [' ', badge('other user', 'other')]),
              ),
            ),
          ]
        : h('p', null, 'This message has no Request ID, so it is not part of a thread.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'xml' },
      h('h2', { id: 'xml' }, 'Original XML'),
      h(
        'p',
        { class: 'toolbar' },
        h('button', {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(m.xml);
              copyStatus.textContent = 'Copied.';
            } catch {
              copyStatus.textContent = 'Copying is not allowed here: use Download.';
            }
          },
        }, 'Copy'),
        ' ',
        h('button', {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            const url = URL.createObjectURL(new Blob([m.xml], { type: 'application/xml' }));
            const a = h('a', { href: url, download: `message-${m.id}.xml` });
            document.body.append(a);
            a.click();
            a.remove();
            setTimeout(() => URL.revokeObjectURL(url), 1000);
          },
        }, 'Download'),
        ' ',
        copyStatus,
      ),
      h('pre', { class: 'xml', tabindex: 0, 'aria-label': 'Original XML, indented' }, xmlText),
    ),
  );
}
