/* livepost console: small progressive enhancements (htmx does the rest). No inline script. */
(function () {
  "use strict";

  // The access token arrives in the address once; the cookie carries it from then on.
  if (window.location.search.indexOf("token=") !== -1) {
    var params = new URLSearchParams(window.location.search);
    params.delete("token");
    var rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : "") + window.location.hash);
  }

  // Say so when the server stops answering the polls, and clear it when it answers again.
  document.addEventListener("htmx:sendError", function () {
    var banner = document.getElementById("offline");
    if (banner) banner.hidden = false;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var banner = document.getElementById("offline");
    if (banner && event.detail && event.detail.successful) banner.hidden = true;
  });

  // Compose: show the chosen image before it is sent, and the image fields only when needed.
  function syncAttach() {
    var form = document.getElementById("compose-form");
    if (!form) return;
    var choice = form.querySelector("input[name=attach]:checked");
    var fields = document.getElementById("image-fields");
    var value = choice ? choice.value : "none";
    if (fields) fields.dataset.attach = value;
    var at = document.getElementById("at");
    var when = form.querySelector("input[name=when]:checked");
    if (at) at.disabled = !(when && when.value === "at");
  }
  function showLocalImage(input) {
    var figure = document.getElementById("local-image");
    var img = document.getElementById("local-image-img");
    if (!figure || !img) return;
    if (input.files && input.files[0]) {
      if (img.src) URL.revokeObjectURL(img.src);
      img.src = URL.createObjectURL(input.files[0]);
      var alt = document.getElementById("alt");
      img.alt = alt && alt.value ? alt.value : "The chosen image (no description yet)";
      figure.hidden = false;
    } else {
      figure.hidden = true;
    }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.id === "image") showLocalImage(target);
    if (target && (target.name === "attach" || target.name === "when")) syncAttach();
  });
  document.addEventListener("input", function (event) {
    var target = event.target;
    var img = document.getElementById("local-image-img");
    if (target && target.id === "alt" && img) img.alt = target.value || "The chosen image (no description yet)";
  });
  document.addEventListener("DOMContentLoaded", syncAttach);
  document.addEventListener("htmx:afterSettle", syncAttach);
})();
