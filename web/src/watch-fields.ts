/*
 * The live feed's filter controls (othersOnly, securityRelevant, critical, SRV, kind), shared by the notification
 * centre and the webhook form. The SRV field takes a number or a catalogue name, like the search page's.
 */
import { KINDS, loadCatalogue } from './catalogue.js';
import { h, replace } from './dom.js';
import { resolveSrv } from './filters.js';
import type { WatchFilters } from './notifications.js';

export interface WatchFields {
  /** The controls, to put in a form. */
  element: HTMLElement;
  /** The filters as entered, or a sentence saying what is wrong (the SRV field is then focused). */
  read(): WatchFilters | string;
}

export function watchFields(prefix: string, current: WatchFilters): WatchFields {
  const id = (name: string) => `${prefix}-${name}`;
  const check = (name: 'othersOnly' | 'securityRelevant' | 'critical', label: string) =>
    h('div', { class: 'field checkbox' }, h('input', { type: 'checkbox', id: id(name), name, checked: current[name] }), h('label', { for: id(name) }, label));
  const srv = h('input', { id: id('srv'), name: 'srv', list: id('srv-list'), value: current.srv ?? '', autocomplete: 'off' });
  const datalist = h('datalist', { id: id('srv-list') });
  const kind = h('select', { id: id('kind'), name: 'kind' }, h('option', { value: '' }, 'Any'), KINDS.map((k) => h('option', { value: k, selected: current.kind === k }, k)));
  const boxes = {
    othersOnly: check('othersOnly', "Only other users' traffic"),
    securityRelevant: check('securityRelevant', 'Only security-relevant SRVs'),
    critical: check('critical', 'Only critical SRVs'),
  };
  let catalogue: Array<{ variant: string; name: string }> = [];
  loadCatalogue().then(
    (items) => {
      catalogue = items;
      replace(datalist, ...items.map((e) => h('option', { value: e.variant }, `${e.variant} — ${e.name}`)));
    },
    () => undefined, // suggestions are a convenience; numbers still work
  );
  const element = h(
    'fieldset',
    { class: 'watch-fields' },
    h('legend', null, 'Which messages'),
    h('div', { class: 'checks' }, boxes.othersOnly, boxes.securityRelevant, boxes.critical),
    h('div', { class: 'inline-form' },
      h('div', { class: 'field' }, h('label', { for: id('srv') }, 'SRV (number or name)'), srv, datalist),
      h('div', { class: 'field' }, h('label', { for: id('kind') }, 'Kind'), kind),
    ),
  );
  const checked = (name: keyof typeof boxes) => boxes[name].querySelector('input')!.checked;
  return {
    element,
    read() {
      const filters: WatchFilters = { othersOnly: checked('othersOnly'), securityRelevant: checked('securityRelevant'), critical: checked('critical') };
      const text = srv.value.trim();
      if (text) {
        const variant = resolveSrv(text, catalogue);
        if (!variant) {
          srv.focus();
          return `"${text}" is not an SRV number or a catalogue name: pick one of the suggestions.`;
        }
        filters.srv = variant;
        srv.value = variant;
      }
      if (kind.value) filters.kind = kind.value;
      return filters;
    },
  };
}
