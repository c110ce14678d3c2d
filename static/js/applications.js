// Progressive enhancement of a form's step: a field is checked as soon as it
// changes, by the server's one validator (POST …/validate), and the message
// goes into the field's error slot, tied to it with aria-describedby. Without
// this file the step is checked when it is sent, exactly as before.
(function () {
  'use strict';
  var form = document.querySelector('form[data-validate]');
  if (!form || !window.fetch || !window.JSON) return;
  var url = form.getAttribute('data-validate');
  var csrf = form.querySelector('input[name=_csrf]');

  function describedBy(el, id, on) {
    var ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) ids.push(id);
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }

  // The element that names the field for assistive technology: a choice's
  // fieldset (radio buttons), else the control itself.
  function owner(input) {
    return input.type === 'radio' ? input.closest('fieldset') : input;
  }

  function show(input, message) {
    var target = owner(input);
    if (!target || !target.id) return;
    var id = target.id + '-error';
    var slot = document.getElementById(id);
    var box = input.closest('.field');
    if (!slot && message) {
      slot = document.createElement('p');
      slot.className = 'field-error';
      slot.id = id;
      var before = input.type === 'radio' ? target.querySelector('.choice') : input;
      before.parentNode.insertBefore(slot, before);
    }
    if (slot) slot.textContent = message;
    if (slot && !message) slot.parentNode.removeChild(slot);
    describedBy(target, id, !!message);
    if (message) target.setAttribute('aria-invalid', 'true');
    else target.removeAttribute('aria-invalid');
    if (box) box.classList.toggle('invalid', !!message);
  }

  function check(input) {
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' },
      body: JSON.stringify({ field: input.name, value: input.value })
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.field === input.name) show(input, data.valid ? '' : data.error.message);
      })
      .catch(function () { /* the step is still checked when it is sent */ });
  }

  form.addEventListener('change', function (event) {
    var input = event.target;
    if (!input.name || input.name.charAt(0) === '_' || /\.count$/.test(input.name)) return;
    if (input.type === 'file' || input.type === 'hidden' || input.type === 'submit') return;
    check(input);
  });
})();
