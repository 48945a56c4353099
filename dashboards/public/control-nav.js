// @ts-check
/**
 * The control room's pages, one nav on each: the same links in the same order, the page the
 * person is on marked for screen readers (aria-current) and by more than colour (underlined
 * and bold), so a wall screen or a keyboard user always knows where they are.
 */

/** @typedef {'live' | 'history' | 'insights' | 'devices' | 'sla'} ControlPage */

/** @type {ReadonlyArray<{ id: ControlPage, label: string, href: string }>} */
export const CONTROL_PAGES = [
  { id: 'live', label: 'Live', href: '/' },
  { id: 'history', label: 'History', href: '/history.html' },
  { id: 'insights', label: 'Insights', href: '/insights.html' },
  { id: 'devices', label: 'Devices', href: '/devices.html' },
  { id: 'sla', label: 'SLA report', href: '/insights.html#sla' },
];

/**
 * Fills `<nav id="control-nav" aria-label="Control room pages">` with the links.
 * @param {HTMLElement} el
 * @param {ControlPage} current
 */
export function mountControlNav(el, current) {
  el.classList.add('control-nav');
  if (!el.getAttribute('aria-label')) el.setAttribute('aria-label', 'Control room pages');
  const list = document.createElement('ul');
  for (const page of CONTROL_PAGES) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = page.href;
    link.textContent = page.label;
    if (page.id === current) link.setAttribute('aria-current', 'page');
    item.append(link);
    list.append(item);
  }
  el.replaceChildren(list);
}
