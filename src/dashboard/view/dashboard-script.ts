import { DASHBOARD_ACTION_HEADER } from '../dashboard-auth.guard';

/**
 * The dashboard's only script, served from /admin/assets (the page's CSP allows no inline script).
 * It re-fetches the page every 15 s and swaps `#live` (the server renders everything, charts
 * included), and runs the Replay buttons. Plain ES2017, no build step.
 */
export const DASHBOARD_SCRIPT = `'use strict';
(function () {
  var REFRESH_MS = 15000;
  var flash = document.getElementById('flash');
  var pending = null;
  var again = false;
  var failedRefresh = false;

  function say(text, isError) {
    flash.textContent = text;
    flash.className = isError ? 'error' : '';
    flash.hidden = false;
  }

  async function load() {
    try {
      var response = await fetch(location.href, { headers: { accept: 'text/html' }, cache: 'no-store' });
      if (response.status === 401 || response.status === 403) throw new Error('请重新登录 log in again (reload)');
      if (!response.ok) throw new Error('HTTP ' + response.status);
      var page = new DOMParser().parseFromString(await response.text(), 'text/html');
      var next = page.getElementById('live');
      var current = document.getElementById('live');
      if (next && current) current.replaceWith(document.adoptNode(next));
      if (failedRefresh) flash.hidden = true;
      failedRefresh = false;
    } catch (error) {
      failedRefresh = true;
      say('刷新失败 Refresh failed: ' + error.message, true);
    }
  }

  /** One refresh at a time; one asked for meanwhile runs after it, so it sees the latest state. */
  function refresh() {
    if (pending) {
      again = true;
      return pending;
    }
    pending = load().finally(function () {
      pending = null;
      if (again) {
        again = false;
        refresh();
      }
    });
    return pending;
  }

  async function replay(button) {
    var id = button.getAttribute('data-replay');
    button.disabled = true;
    button.textContent = '重放中 Replaying…';
    try {
      var response = await fetch('/admin/api/deliveries/' + encodeURIComponent(id) + '/replay', {
        method: 'POST',
        headers: { accept: 'application/json', '${DASHBOARD_ACTION_HEADER}': 'replay' },
      });
      var body = await response.json().catch(function () { return {}; });
      if (!response.ok) throw new Error(body.detail || 'HTTP ' + response.status);
      say('已重放 Replayed ' + id + ' → ' + body.status, false);
    } catch (error) {
      say('重放失败 Replay failed (' + id + '): ' + error.message, true);
    }
    await refresh();
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('button[data-replay]') : null;
    if (button && !button.disabled) replay(button);
  });
  setInterval(refresh, REFRESH_MS);
})();
`;
