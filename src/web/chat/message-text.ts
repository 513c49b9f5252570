/**
 * Renders message text as DOM nodes: plain text (never parsed as HTML) with http(s) links made clickable, so the
 * secure links the bot sends can be opened. Line breaks are kept by CSS (`white-space: pre-wrap`).
 */

const LINK_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

function createLink(url: string): HTMLAnchorElement | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  } catch {
    return null;
  }
  const link = document.createElement('a');
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  link.textContent = url;
  const hint = document.createElement('span');
  hint.className = 'cc-visually-hidden';
  hint.textContent = ' (opens in a new tab)';
  link.append(hint);
  return link;
}

/** Text and links of `text`, in order, ready to append to a message bubble. */
export function renderMessageText(text: string): Node[] {
  const nodes: Node[] = [];
  let position = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    const start = match.index;
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    const link = createLink(url);
    if (!link) continue;
    nodes.push(document.createTextNode(text.slice(position, start)), link);
    position = start + url.length;
  }
  nodes.push(document.createTextNode(text.slice(position)));
  return nodes.filter((node) => node.nodeType !== Node.TEXT_NODE || node.textContent !== '');
}
