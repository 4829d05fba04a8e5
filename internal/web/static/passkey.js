// Passkeys for Seura: the one script, loaded only by the pages that offer
// passkeys. A form with class "passkey" stays hidden unless this browser can
// use passkeys. Submitting it asks data-begin (POST, the form's CSRF token)
// for the WebAuthn options and a sealed state, runs
// navigator.credentials.create or .get (data-ceremony), puts the state and
// the authenticator's answer (JSON) into the form's hidden fields and submits
// the form as an ordinary form post.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    return;
  }

  function fromB64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeIDs(list) {
    (list || []).forEach(function (c) {
      c.id = fromB64url(c.id);
    });
  }

  // options turns the server's JSON into what navigator.credentials takes.
  function options(ceremony, json) {
    var pk = json.publicKey;
    pk.challenge = fromB64url(pk.challenge);
    if (ceremony === "create") {
      pk.user.id = fromB64url(pk.user.id);
      decodeIDs(pk.excludeCredentials);
    } else {
      decodeIDs(pk.allowCredentials);
    }
    var o = { publicKey: pk };
    if (json.mediation) {
      o.mediation = json.mediation;
    }
    return o;
  }

  // answer is the credential as JSON, binary fields base64url.
  function answer(ceremony, cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) {
      out.authenticatorAttachment = cred.authenticatorAttachment;
    }
    if (ceremony === "create") {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) {
        out.response.transports = r.getTransports();
      }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) {
        out.response.userHandle = toB64url(r.userHandle);
      }
    }
    return JSON.stringify(out);
  }

  function run(form) {
    var ceremony = form.getAttribute("data-ceremony");
    var error = form.querySelector(".passkey-error");
    var button = form.querySelector("button[type=submit]");
    error.hidden = true;
    button.disabled = true;
    var body = new URLSearchParams();
    body.set("csrf", form.elements.namedItem("csrf").value);
    fetch(form.getAttribute("data-begin"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (resp) {
        if (!resp.ok) {
          throw new Error("begin: status " + resp.status);
        }
        return resp.json();
      })
      .then(function (data) {
        form.elements.namedItem("state").value = data.state;
        var o = options(ceremony, data.options);
        return ceremony === "create" ? navigator.credentials.create(o) : navigator.credentials.get(o);
      })
      .then(function (cred) {
        if (!cred) {
          throw new Error("no credential");
        }
        form.elements.namedItem("credential").value = answer(ceremony, cred);
        form.submit();
      })
      .catch(function () {
        error.hidden = false;
        button.disabled = false;
      });
  }

  function init() {
    document.querySelectorAll("form.passkey").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        run(form);
      });
      form.hidden = false;
    });
    document.querySelectorAll(".passkey-nojs").forEach(function (p) {
      p.hidden = true;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
