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

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('input[data-suggest]'), enhanceSuggest);
    Array.prototype.forEach.call(document.querySelectorAll('[data-geolocate]'), enhanceGeolocation);
    // Empty coordinates would only clutter the address.
    Array.prototype.forEach.call(document.querySelectorAll('[data-geo]'), function (input) {
      input.form.addEventListener('submit', function () { if (!input.value) input.disabled = true; });
    });
  });
})();
