// A value put into a text field at once (a password manager, autofill, a paste, a test's fill()) must
// reach the app even when the field was not yet Flutter's active editing element.
//
// Why: the Flutter web engine bundled with flet-web 1.0.5 listens for "input" on a semantics text field
// only while that field is its active editing element. A value that lands during the hand-over (focus
// has moved to the field, Flutter has not attached to it yet) is dropped, and Flutter then writes its
// own, empty, text over it: the password was empty on submit in 4 of 6 tries. Newer Flutter engines
// handle such an "input" themselves (SemanticsAction.setText); until flet-web bundles one, this
// replays the dropped value as soon as Flutter attaches to the field, and holds a tap that arrives
// before that (at most a second), so the tap's handler sees the value.
(function () {
  "use strict";
  var listening = new WeakMap(); // field -> how many "input" listeners Flutter has on it
  var pending = new Map(); // field -> the value Flutter did not see
  var held = []; // elements whose click waits for the pending values
  var REPLAY = "__sotayReplay";

  function isField(el) {
    return !!(el && el.getAttribute && el.getAttribute("data-semantics-role") === "text-field");
  }

  var add = EventTarget.prototype.addEventListener;
  var remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    add.call(this, type, listener, options);
    if (type === "input" && isField(this)) {
      listening.set(this, (listening.get(this) || 0) + 1);
      if (pending.has(this)) {
        var field = this;
        // After Flutter has finished attaching (it writes its own text into the field while doing so).
        setTimeout(function () { replay(field); }, 0);
      }
    }
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    remove.call(this, type, listener, options);
    if (type === "input" && isField(this) && listening.get(this)) {
      listening.set(this, listening.get(this) - 1);
    }
  };

  function replay(field) {
    if (!pending.has(field)) return;
    var value = pending.get(field);
    pending.delete(field);
    if (listening.get(field)) {
      field.value = value;
      try { field.setSelectionRange(value.length, value.length); } catch (e) { /* not a text input */ }
      var ev = new Event("input", { bubbles: true });
      ev[REPLAY] = true;
      field.dispatchEvent(ev);
    }
    if (!pending.size) setTimeout(release, 0); // after Flutter has passed the value on to the app
  }

  function release() {
    pending.clear(); // a field Flutter never took over keeps what the browser shows; taps go on
    var targets = held;
    held = [];
    targets.forEach(function (target) {
      var ev = new MouseEvent("click", { bubbles: true, cancelable: true });
      ev[REPLAY] = true;
      target.dispatchEvent(ev);
    });
  }

  add.call(document, "input", function (e) {
    var field = e.target;
    if (!isField(field) || e[REPLAY]) return;
    if (listening.get(field)) {
      pending.delete(field); // Flutter is attached and gets this one itself
    } else {
      pending.set(field, field.value);
    }
  }, true);

  add.call(document, "click", function (e) {
    if (!pending.size || e[REPLAY] || isField(e.target)) return;
    e.stopImmediatePropagation();
    e.preventDefault();
    held.push(e.target);
    setTimeout(release, 1000); // never hold a tap for longer than this
  }, true);
})();
