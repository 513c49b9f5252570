/**
 * The inbox page's script: live updates (server-sent events name a conversation; the page fetches its own fragment,
 * escaped by the server), a browser notification with no PHI for new items, the reply box's character count and
 * canned responses, and idle log-off with a warning a minute before. Activity here (keys, taps) keeps the session
 * alive through a keep-alive request at most every minute; nothing else does.
 */
const body = document.body;
const idleMs = Number(body.dataset.idleMs) || 15 * 60_000;
const csrf = body.dataset.csrf ?? '';
const WARN_BEFORE_MS = 60_000;
const KEEPALIVE_EVERY_MS = 60_000;

let lastActivity = Date.now();
let lastKeepalive = Date.now();
let signingOut = false;
const warning = document.getElementById('idle-warning');
const liveStatus = document.getElementById('live-status');

function announce(text: string): void {
  if (liveStatus) liveStatus.textContent = text;
}

function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, ...fields }).toString(),
  });
}

function signOut(): void {
  if (signingOut) return;
  signingOut = true;
  post('/inbox/logout', { reason: 'idle' })
    .catch(() => undefined)
    .finally(() => window.location.assign('/inbox/login?signed_out=idle'));
}

function activity(): void {
  if (signingOut) return;
  lastActivity = Date.now();
  if (warning && !warning.hidden) warning.hidden = true;
  if (Date.now() - lastKeepalive >= KEEPALIVE_EVERY_MS) {
    lastKeepalive = Date.now();
    post('/inbox/session/keepalive', {})
      .then((response) => {
        if (response.status === 401) signOut();
      })
      .catch(() => undefined);
  }
}

function checkIdle(): void {
  const idle = Date.now() - lastActivity;
  if (idle >= idleMs) return signOut();
  if (idle >= idleMs - WARN_BEFORE_MS && warning?.hidden) {
    warning.hidden = false;
    document.getElementById('stay-signed-in')?.focus();
  }
}

for (const type of ['keydown', 'pointerdown', 'input']) document.addEventListener(type, activity, { passive: true });
document.getElementById('stay-signed-in')?.addEventListener('click', () => {
  lastKeepalive = 0;
  activity();
});
window.setInterval(checkIdle, 5_000);

/** Replaces an element's content with its fragment (server-escaped HTML); a 401 means the session ended. */
async function refresh(element: HTMLElement): Promise<void> {
  const url = element.dataset.fragment;
  if (!url) return;
  const response = await fetch(url, { credentials: 'same-origin' });
  if (response.status === 401) return signOut();
  if (!response.ok) return;
  element.innerHTML = await response.text();
}

const queue = document.getElementById('queue');
const transcript = document.getElementById('transcript');
const conversation = body.dataset.conversation;

function notifyNew(): void {
  announce('New conversation waiting');
  if ('Notification' in window && Notification.permission === 'granted') {
    new Notification('New conversation waiting', { tag: 'inbox-new' });
  }
}

const notifyButton = document.getElementById('enable-notifications');
if (notifyButton && 'Notification' in window && Notification.permission === 'default') {
  notifyButton.hidden = false;
  notifyButton.addEventListener('click', () => {
    void Notification.requestPermission().then(() => {
      notifyButton.hidden = true;
    });
  });
}

// Live updates on the queue and conversation pages only (the content editor shares this script for the idle timer).
const events = queue || transcript ? new EventSource('/inbox/events') : undefined;
// Whatever changed between the page's rendering (or a dropped connection) and this subscription was not announced.
events?.addEventListener('open', () => {
  if (queue) void refresh(queue);
  if (transcript) void refresh(transcript);
});
events?.addEventListener('inbox', (event) => {
  const data = JSON.parse((event as MessageEvent<string>).data) as { conversationId: string; change: string };
  if (data.change === 'opened') notifyNew();
  if (queue) void refresh(queue);
  if (transcript && data.conversationId === conversation) {
    void refresh(transcript).then(() => {
      if (data.change === 'message') announce('New message in this conversation');
    });
  }
});
if (queue) window.setInterval(() => void refresh(queue), 30_000);

const reply = document.getElementById('reply') as HTMLTextAreaElement | null;
const count = document.getElementById('reply-count');
if (reply && count) {
  const update = () => {
    count.textContent = `${reply.value.length} of ${reply.maxLength} characters`;
  };
  reply.addEventListener('input', update);
  update();
  const canned = document.getElementById('canned') as HTMLSelectElement | null;
  canned?.addEventListener('change', () => {
    if (canned.value === '') return;
    reply.value = reply.value === '' ? canned.value : `${reply.value}\n${canned.value}`;
    canned.value = '';
    update();
    reply.focus();
  });
}
