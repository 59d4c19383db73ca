// Conducting a safety audit on a phone (apps/audits, audits/audit_conduct.html).
//
// Each answer is saved when it is given: the card's form posts (htmx) on a tap of a result, on a
// photo chosen, and on a pause in typing the comment (or leaving it). The inputs are never
// replaced, so what was typed stays on the page whatever the network does. Each card shows its
// state: "Saving…", "Saved", or "Not saved" with a Retry button; a failed save is sent again
// by itself (after a few seconds, and as soon as the phone is back online). Finish refuses while
// an answer is not saved, and says which items. The server stays the judge: it refuses to
// complete an audit with an unanswered item.
(function () {
  "use strict";

  var root = document.getElementById("audit-conduct");
  if (!root || !window.htmx) {
    return;
  }
  document.documentElement.classList.add("audit-autosave");

  var text = root.dataset;
  var RETRY_DELAYS = [2000, 5000, 10000, 20000, 30000];
  // States in which the server does not hold what the card shows.
  var UNSAVED = ["dirty", "saving", "incomplete", "invalid", "conflict", "failed"];
  var finish = document.getElementById("finish-audit");
  var finishMessage = document.getElementById("finish-blocked");
  var finishTried = false;

  function cards() {
    return Array.prototype.slice.call(root.querySelectorAll(".answer-card"));
  }

  function cardOf(element) {
    return element && element.closest ? element.closest(".answer-card") : null;
  }

  function formOf(card) {
    return card.querySelector("form.answer-form");
  }

  function values(card) {
    var form = formOf(card);
    var checked = form.querySelector("input[type=radio]:checked");
    var comment = form.querySelector("textarea");
    var remove = form.querySelector("input[type=checkbox]");
    var file = form.querySelector("input[type=file]");
    return {
      result: checked ? checked.value : "",
      comment: comment ? comment.value : "",
      remove: remove ? remove.checked : false,
      file: file && file.files.length ? file.files[0] : null,
    };
  }

  // What the server holds once this answer is saved (a chosen photo or a ticked "remove the
  // photo" is a change of its own, consumed by the save that sends it).
  function signature(current) {
    return JSON.stringify([current.result, current.comment.trim()]);
  }

  function needsSaving(card, current) {
    return signature(current) !== card._savedSignature || current.file !== null || current.remove;
  }

  function icon(name) {
    var element = document.createElement("i");
    element.className = "bi " + name;
    return element;
  }

  function showState(card, state) {
    var label = card.querySelector(".answer-state");
    label.textContent = "";
    var span = document.createElement("span");
    if (state === "saved") {
      span.className = "text-success";
      span.appendChild(icon("bi-cloud-check"));
      span.appendChild(document.createTextNode(" " + text.textSaved));
    } else if (state === "dirty" || state === "saving") {
      span.className = "text-body-secondary";
      var spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-1";
      spinner.setAttribute("aria-hidden", "true");
      span.appendChild(spinner);
      span.appendChild(document.createTextNode(text.textSaving));
    } else if (UNSAVED.indexOf(state) !== -1) {
      span.className = "text-danger fw-semibold";
      span.appendChild(icon("bi-exclamation-circle"));
      span.appendChild(document.createTextNode(" " + text.textNotSaved));
    }
    label.appendChild(span);
  }

  function showRetry(card, message) {
    var retry = card.querySelector(".answer-retry");
    if (message) {
      retry.querySelector(".answer-retry-text").textContent = message;
      retry.classList.remove("d-none");
      retry.classList.add("d-flex");
    } else {
      retry.classList.add("d-none");
      retry.classList.remove("d-flex");
    }
  }

  function setState(card, state, retryMessage) {
    card.dataset.state = state;
    showState(card, state);
    showRetry(card, state === "failed" ? retryMessage : "");
    card.classList.toggle("border-danger", ["incomplete", "invalid", "conflict", "failed"].indexOf(state) !== -1);
    card.classList.toggle("border", ["incomplete", "invalid", "conflict", "failed"].indexOf(state) !== -1);
    updateFinish();
  }

  function unsavedItems() {
    return cards()
      .filter(function (card) {
        return UNSAVED.indexOf(card.dataset.state) !== -1;
      })
      .map(function (card) {
        return card.dataset.item;
      });
  }

  function stuckItems() {
    return cards()
      .filter(function (card) {
        return ["incomplete", "invalid", "conflict", "failed"].indexOf(card.dataset.state) !== -1;
      })
      .map(function (card) {
        return card.dataset.item;
      });
  }

  function updateFinish() {
    var unsaved = unsavedItems();
    var stuck = stuckItems();
    finish.setAttribute("aria-disabled", unsaved.length ? "true" : "false");
    finish.classList.toggle("finish-blocked", unsaved.length > 0);
    var message = "";
    if (stuck.length) {
      message = text.textBlocked.replace("%(items)s", stuck.join(", "));
    } else if (unsaved.length && finishTried) {
      message = text.textPending.replace("%(items)s", unsaved.join(", "));
    }
    finishMessage.textContent = message;
    finishMessage.classList.toggle("d-none", !message);
    if (!unsaved.length) {
      finishTried = false;
    }
  }

  // Retrying ------------------------------------------------------------------------------------

  function retry(card) {
    window.clearTimeout(card._retryTimer);
    card._retryTimer = null;
    htmx.trigger(formOf(card), "retry");
  }

  function scheduleRetry(card) {
    var attempt = card._attempts || 0;
    card._attempts = attempt + 1;
    window.clearTimeout(card._retryTimer);
    card._retryTimer = window.setTimeout(function () {
      retry(card);
    }, RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)]);
  }

  window.addEventListener("online", function () {
    cards().forEach(function (card) {
      if (card.dataset.state === "failed") {
        retry(card);
      }
    });
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-retry]");
    if (button) {
      event.preventDefault();
      retry(cardOf(button));
    }
  });

  // Saving --------------------------------------------------------------------------------------

  // Typing starts an unsaved change at once (the save follows a pause in typing).
  root.addEventListener("input", function (event) {
    var card = cardOf(event.target);
    if (card && event.target.matches("textarea")) {
      setState(card, "dirty");
    }
  });

  // Before a save is sent: nothing to send when the server already has it; a non-compliance
  // waits for its comment (the server would refuse it without one).
  root.addEventListener("htmx:confirm", function (event) {
    var card = cardOf(event.target);
    if (!card) {
      return;
    }
    var current = values(card);
    if (!needsSaving(card, current)) {
      event.preventDefault();
      var hint = card.querySelector('.answer-errors [role="status"]');
      if (hint) {
        hint.remove();
      }
      setState(card, card._answered ? "saved" : "idle");
      return;
    }
    var needed = "";
    if (!current.result) {
      needed = text.textNeedsResult;
    } else if (current.result === "non_compliant" && !current.comment.trim()) {
      needed = text.textNeedsComment;
    }
    if (needed) {
      event.preventDefault();
      showHint(card, needed);
      setState(card, "incomplete");
      var comment = card.querySelector("textarea");
      var trigger = event.detail.triggeringEvent;
      if (current.result && trigger && trigger.type === "change" && trigger.target.type === "radio" && comment) {
        comment.focus();
      }
    }
  });

  function showHint(card, message) {
    var errors = card.querySelector(".answer-errors");
    errors.textContent = "";
    var hint = document.createElement("div");
    hint.className = "alert alert-warning py-2 px-3 small mb-2";
    hint.setAttribute("role", "status");
    hint.textContent = message;
    errors.appendChild(hint);
  }

  root.addEventListener("htmx:beforeRequest", function (event) {
    var card = cardOf(event.target);
    if (card) {
      var current = values(card);
      card._sending = { signature: signature(current), file: current.file, remove: current.remove };
      setState(card, "saving");
    }
  });

  // A refused answer (400) or an audit finished meanwhile (409) carries the card's errors.
  root.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  root.addEventListener("htmx:afterRequest", function (event) {
    var card = cardOf(event.target);
    if (!card) {
      return;
    }
    var xhr = event.detail.xhr;
    var sent = card._sending || {};
    var savedHeader = xhr && xhr.getResponseHeader ? xhr.getResponseHeader("X-Answer-Saved") : null;
    if (xhr.status === 200 && savedHeader === "true") {
      card._attempts = 0;
      card._answered = true;
      card._savedSignature = sent.signature;
      var form = formOf(card);
      var file = form.querySelector("input[type=file]");
      if (sent.file && file && file.files.length && file.files[0] === sent.file) {
        file.value = ""; // stored: not sent again with the next answer
      }
      var remove = form.querySelector("input[type=checkbox]");
      if (sent.remove && remove) {
        remove.checked = false;
      }
      // A change made while this save was on its way is sent by the request it queued.
      setState(card, needsSaving(card, values(card)) ? "dirty" : "saved");
    } else if (xhr.status === 400) {
      if (xhr.getResponseHeader("X-Answer-Photo-Refused") === "true") {
        var refused = formOf(card).querySelector("input[type=file]");
        if (refused && sent.file && refused.files.length && refused.files[0] === sent.file) {
          refused.value = ""; // the message says why; choosing another photo sends it
        }
      }
      setState(card, "invalid");
    } else if (xhr.status === 409) {
      setState(card, "conflict");
    } else if (xhr.status === 200) {
      // A page without the marker: the sign-in page, after the session ended.
      setState(card, "failed", text.textSignedOut);
    } else {
      setState(card, "failed", xhr.status === 0 ? text.textOffline : text.textServer);
      scheduleRetry(card);
    }
  });

  // Finishing -----------------------------------------------------------------------------------

  finish.addEventListener("click", function (event) {
    if (unsavedItems().length) {
      event.preventDefault();
      finishTried = true;
      updateFinish();
      var first = root.querySelector('.answer-card[data-state="failed"], .answer-card[data-state="invalid"], .answer-card[data-state="incomplete"], .answer-card[data-state="conflict"]');
      if (first) {
        first.scrollIntoView({ behavior: "smooth", block: "center" });
      }
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (unsavedItems().length) {
      event.preventDefault();
      event.returnValue = text.textLeave;
    }
  });

  cards().forEach(function (card) {
    if (card.dataset.state === "invalid") {
      showState(card, "invalid");
    } else {
      card._answered = card.dataset.state === "saved";
      card._savedSignature = signature(values(card)); // what the page was rendered with
    }
  });
  updateFinish();
})();
