// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  // Search suggestions as you type, through a native <datalist> (keyboard and
  // screen readers get the browser's own accessible list).
  function enhanceSuggest(input, index) {
    var list = document.createElement('datalist');
    list.id = 'suggestions-' + index;
    input.setAttribute('list', list.id);
    input.parentNode.appendChild(list);
    var timer = null, last = '', controller = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        if (controller) controller.abort();
        controller = typeof AbortController === 'function' ? new AbortController() : null;
        fetch('/api/v1/search/suggest?q=' + encodeURIComponent(q), controller ? { signal: controller.signal } : {})
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            list.textContent = '';
            (data.suggestions || []).forEach(function (s) {
              var option = document.createElement('option');
              option.value = s.title;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 150);
    });
  }

  // "Use my position" on the service centres page.
  function enhanceGeolocation(button) {
    if (!('geolocation' in navigator)) return;
    var form = button.form;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector('[data-geo=lat]').value = pos.coords.latitude.toFixed(5);
        form.querySelector('[data-geo=lon]').value = pos.coords.longitude.toFixed(5);
        form.submit();
      }, function () { button.disabled = true; }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  // The live password meter: the server rates the password with the same
  // zxcvbn it checks on submit (POST, never in a URL), after a short pause.
  function enhanceStrength(input) {
    var out = document.getElementById(input.getAttribute('data-strength'));
    var form = input.form;
    var csrf = form.querySelector('input[name=_csrf]');
    if (!out || !csrf || typeof fetch !== 'function') return;
    var meter = out.querySelector('meter'), label = out.querySelector('.strength-label');
    var timer = null, seq = 0;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq;
        if (!input.value) { out.hidden = true; return; }
        var body = { password: input.value };
        ['surname', 'name', 'contact'].forEach(function (f) {
          var el = form.querySelector('[name=' + f + ']');
          if (el) body[f] = el.value;
        });
        fetch('/api/v1/identity/password-strength', {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf.value, 'Accept': 'application/json' },
          body: JSON.stringify(body)
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
          if (!data || mine !== seq) return;
          out.hidden = false;
          meter.value = data.score;
          label.textContent = data.label;
          out.className = 'strength score-' + data.score;
        }).catch(function () { /* the server still checks on submit */ });
      }, 250);
    });
  }

  // "Ask for a new code in 0:45": counts down and enables the button.
  function enhanceCountdown(button) {
    var left = parseInt(button.getAttribute('data-enable-after'), 10);
    if (!(left > 0)) return;
    var hint = button.form.querySelector('[data-countdown] .countdown');
    button.disabled = true;
    var timer = setInterval(function () {
      left -= 1;
      if (hint) hint.textContent = Math.floor(left / 60) + ':' + ('0' + (left % 60)).slice(-2);
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        if (hint) hint.parentNode.hidden = true;
      }
    }, 1000);
  }

  // "Show password" toggles the named fields between hidden and plain text.
  function enhanceShowPassword(box) {
    var label = document.querySelector('label[for=' + box.id + ']');
    box.hidden = false;
    if (label) label.hidden = false;
    box.addEventListener('change', function () {
      box.getAttribute('data-targets').split(' ').forEach(function (id) {
        var el = document.getElementById(id);
        if (el) el.type = box.checked ? 'text' : 'password';
      });
    });
  }

  // The place picker: the search field offers every place as you type (a native
  // <datalist>). While the field holds a place from that list, its form posts
  // the choice itself (the place and the CSRF token of the list form), so a
  // picked place is saved at once instead of going through the page of matches
  // that serves without JavaScript.
  function enhancePlaceSearch(form) {
    var input = form.querySelector('input[list]');
    var chooser = document.querySelector('form[data-place-form]');
    var token = chooser && chooser.querySelector('input[name=_csrf]');
    if (!input || !input.list || !token) return;
    var place = document.createElement('input');
    place.type = 'hidden';
    place.name = 'place';
    var csrf = token.cloneNode(false);
    function sync() {
      var value = input.value.trim();
      var match = Array.prototype.filter.call(input.list.options, function (o) { return o.value === value; })[0];
      if (match) {
        place.value = match.getAttribute('data-place');
        form.appendChild(place);
        form.appendChild(csrf);
        form.method = 'post';
      } else {
        if (place.parentNode) form.removeChild(place);
        if (csrf.parentNode) form.removeChild(csrf);
        form.method = 'get';
      }
    }
    input.addEventListener('input', sync);
    input.addEventListener('change', sync);
    sync();
  }

  // The header's language menu (a <details>): Escape or a click elsewhere closes it.
  function enhanceMenu(details) {
    document.addEventListener('click', function (event) {
      if (details.open && !details.contains(event.target)) details.open = false;
    });
    details.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && details.open) {
        details.open = false;
        details.querySelector('summary').focus();
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('form[data-place-search]'), enhancePlaceSearch);
    Array.prototype.forEach.call(document.querySelectorAll('details.lang-menu'), enhanceMenu);
    Array.prototype.forEach.call(document.querySelectorAll('input[data-strength]'), enhanceStrength);
    Array.prototype.forEach.call(document.querySelectorAll('button[data-enable-after]'), enhanceCountdown);
    Array.prototype.forEach.call(document.querySelectorAll('input.show-password'), enhanceShowPassword);
    Array.prototype.forEach.call(document.querySelectorAll('input[data-suggest]'), enhanceSuggest);
    Array.prototype.forEach.call(document.querySelectorAll('[data-geolocate]'), enhanceGeolocation);
    // Empty coordinates would only clutter the address.
    Array.prototype.forEach.call(document.querySelectorAll('[data-geo]'), function (input) {
      input.form.addEventListener('submit', function () { if (!input.value) input.disabled = true; });
    });
  });
})();

// "My details": while the registries check the profile, the status is asked
// for every 2 s and the page updated in place; the summary is an aria-live
// region, so screen readers hear each change. Without JS the "Refresh" link does it.
(function () {
  'use strict';

  function setText(el, text) {
    if (!el) return;
    el.textContent = text || '';
    el.hidden = !text;
  }

  function setStatus(el, label, css) {
    if (!el) return;
    el.textContent = label;
    el.className = 'status ' + css;
  }

  function pollVerification(box) {
    var url = box.getAttribute('data-verification-poll');
    var summary = box.querySelector('.verification-summary');
    var last = '';
    var timer = null;
    function tick() {
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { timer = setTimeout(tick, 2000); return; }
          var key = JSON.stringify(data);
          if (key !== last) {
            last = key;
            Object.keys(data.steps || {}).forEach(function (id) {
              var step = data.steps[id];
              var row = box.querySelector('[data-step="' + id + '"]');
              if (!row) return;
              setStatus(row.querySelector('[data-step-label]'), step.label, step['class']);
              setText(row.querySelector('[data-step-message]'), step.message);
              setText(row.querySelector('[data-step-fix]'), step.fix);
            });
            if (summary) {
              summary.className = 'notice verification-summary ' + data['class'];
              setStatus(summary.querySelector('[data-overall-label]'), data.label, data['class']);
              setText(summary.querySelector('[data-overall-message]'), data.message);
              setText(summary.querySelector('[data-overall-fix]'), data.fix);
            }
          }
          if (data.running) timer = setTimeout(tick, 2000);
          else box.setAttribute('data-verification-done', 'true');
        })
        .catch(function () { timer = setTimeout(tick, 2000); });
    }
    timer = setTimeout(tick, 2000);
    window.addEventListener('pagehide', function () { clearTimeout(timer); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    if (typeof fetch !== 'function') return;
    Array.prototype.forEach.call(document.querySelectorAll('[data-verification-poll]'), pollVerification);
  });
})();
