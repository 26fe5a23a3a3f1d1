// Progressive enhancement of the order page: the saga panel follows the order live through
// server-sent events (the page works without JavaScript; a reload shows the same state).
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const panel = document.getElementById('saga');
  const url = panel && panel.dataset.live;
  if (!url || !('EventSource' in window)) return;
  const source = new EventSource(url);
  panel.dataset.stream = 'connecting';
  source.addEventListener('open', () => {
    panel.dataset.stream = 'open';
  });
  source.addEventListener('order', (event) => {
    const update = JSON.parse(event.data);
    // Keep what the person is typing in the cancel form while the panel re-renders.
    const reason = panel.querySelector('#reason');
    const typed = reason ? reason.value : '';
    const focused = document.activeElement && panel.contains(document.activeElement);
    panel.innerHTML = update.html;
    const again = panel.querySelector('#reason');
    if (again && typed) again.value = typed;
    if (focused && again) again.focus();
    panel.dataset.updates = String(Number(panel.dataset.updates || '0') + 1);
  });
  source.addEventListener('problem', (event) => {
    // 4xx: signed out or not this customer's order; a reload shows why. 5xx: it keeps trying.
    if (JSON.parse(event.data).status < 500) source.close();
  });
  source.addEventListener('error', () => {
    panel.dataset.stream = 'reconnecting';
  });
  window.addEventListener('pagehide', () => source.close());
});
