// "101–200 of 10,000" with previous/next buttons for the paged list routes.
import { count, h } from './dom.js';

export function pager(label, page, onOffset) {
  const { offset, limit, total } = page;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return h('nav', { class: 'pager', 'aria-label': `${label} pages` },
    h('button', {
      type: 'button', class: 'secondary', disabled: offset === 0,
      onclick: () => onOffset(Math.max(0, offset - limit)),
    }, '← Previous'),
    h('span', { 'aria-live': 'polite' }, `${count(first)}–${count(last)} of ${count(total)}`),
    h('button', {
      type: 'button', class: 'secondary', disabled: page.nextOffset === undefined,
      onclick: () => onOffset(page.nextOffset),
    }, 'Next →'));
}
