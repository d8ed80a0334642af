/* The reporter's phone page. Snippets are kept in localStorage until the server has them, and
   sent again with their key when the connection returns: the server answers a key it has seen
   with the same post, so flaky Wi-Fi never loses or doubles a snippet. */
"use strict";
(function () {
  const STORE = "livepost-outbox";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const form = $("snippet"), text = $("text"), talk = $("talk"), photo = $("photo");
  const alt = $("alt"), error = $("error"), net = $("net");
  let memoryPhotos = {}; // photos too large for localStorage stay here until sent
  let flushing = false;

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function graphemes(value) {
    if (window.Intl && Intl.Segmenter) {
      let n = 0;
      for (const _ of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(value)) n++;
      return n;
    }
    return Array.from(value).length;
  }
  function outbox() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    try { localStorage.setItem(STORE, JSON.stringify(items)); }
    catch (e) { // quota: keep the photos in memory only, never the text
      for (const item of items) {
        if (item.photo) { memoryPhotos[item.key] = item.photo; delete item.photo; item.photoInMemory = true; }
      }
      localStorage.setItem(STORE, JSON.stringify(items));
    }
    showPending();
  }
  function showPending() {
    const n = outbox().length;
    $("pending").textContent = n ? n + " snippet(s) waiting to be sent" : "";
  }
  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }
  async function api(path, options) {
    const headers = Object.assign({ "X-CSRF-Token": csrf }, (options && options.headers) || {});
    return fetch(path, Object.assign({ credentials: "same-origin" }, options, { headers }));
  }
  function talkLine(t) {
    const hhmm = (iso) => iso.slice(11, 16);
    return hhmm(t.start) + "–" + hhmm(t.end) + " · " + (t.room || "");
  }
  async function loadTalks() {
    let data;
    try {
      const response = await api("/api/v1/talks/current");
      if (!response.ok) return;
      data = await response.json();
    } catch (e) { return; }
    const now = $("now");
    now.textContent = "";
    if (!data.talks.length) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No talk is running in your room now.";
      now.appendChild(p);
    }
    for (const t of data.talks) {
      const div = document.createElement("div");
      div.className = "talk";
      const strong = document.createElement("strong");
      strong.textContent = t.title;
      div.appendChild(strong);
      div.appendChild(document.createTextNode(talkLine(t)));
      now.appendChild(div);
    }
    $("next").textContent = data.next.length
      ? "Next: " + data.next.map((t) => t.title + " (" + talkLine(t) + ")").join("; ")
      : "";
    const chosen = talk.value;
    talk.textContent = "";
    for (const t of data.talks.concat(data.next)) {
      const option = document.createElement("option");
      option.value = t.id;
      option.textContent = t.title;
      talk.appendChild(option);
    }
    if (chosen && Array.from(talk.options).some((o) => o.value === chosen)) talk.value = chosen;
  }
  let previewTimer = null;
  function count() {
    const n = graphemes(text.value.trim());
    const counter = $("counter");
    counter.textContent = n + " characters";
    counter.classList.toggle("over", n > 3000);
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 400);
  }
  async function preview() {
    const parts = $("parts");
    if (!text.value.trim() || !talk.value) { parts.hidden = true; return; }
    try {
      const response = await api("/api/v1/preview", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ talk: talk.value, text: text.value }),
      });
      if (!response.ok) return;
      const data = await response.json();
      parts.textContent = "";
      for (const post of data.posts) {
        const li = document.createElement("li");
        li.textContent = post.text + "  (" + post.graphemes + "/300)";
        parts.appendChild(li);
      }
      parts.hidden = data.posts.length === 0;
      $("counter").textContent = graphemes(text.value.trim()) + " characters · " +
        data.posts.length + (data.posts.length === 1 ? " post" : " posts in a thread");
    } catch (e) { /* offline: the count alone */ }
  }
  function readPhoto(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }
  function dataUrlBlob(url) { // by hand: the page's CSP allows no fetch of data: URLs
    const [head, data] = url.split(",");
    const bytes = atob(data);
    const buffer = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    return new Blob([buffer], { type: head.slice(5).split(";")[0] || "image/jpeg" });
  }

  async function sendOne(item) {
    let body, headers = {};
    const photoUrl = item.photo || memoryPhotos[item.key];
    if (item.hasPhoto) {
      if (!photoUrl) return { drop: true, message: "The photo was lost when the page closed; take it again." };
      body = new FormData();
      body.append("talk", item.talk);
      body.append("text", item.text);
      body.append("key", item.key);
      body.append("alt", item.alt);
      body.append("image", dataUrlBlob(photoUrl), item.name || "photo.jpg");
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify({ talk: item.talk, text: item.text, key: item.key });
    }
    const response = await api("/api/v1/snippets", { method: "POST", headers, body });
    if (response.status === 200 || response.status === 201) return { done: true };
    if (response.status === 401) return { stop: true, message: "Your link no longer works: ask the comms officer for a new one." };
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      let message = "Refused.";
      try { message = (await response.json()).error.message || message; } catch (e) {}
      return { drop: true, message };
    }
    return { retry: true };
  }
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      let items = outbox();
      while (items.length) {
        const item = items[0];
        let outcome;
        try { outcome = await sendOne(item); }
        catch (e) { outcome = { retry: true }; }
        if (outcome.retry || outcome.stop) {
          net.textContent = outcome.message || "No connection: your snippets are kept on this phone and sent when it returns.";
          net.hidden = false;
          break;
        }
        net.hidden = true;
        if (outcome.message) showError(outcome.message + " (“" + item.text.slice(0, 60) + "”)");
        delete memoryPhotos[item.key];
        items = outbox().filter((i) => i.key !== item.key);
        save(items);
      }
    } finally {
      flushing = false;
      showPending();
      loadMine();
    }
  }
  async function loadMine() {
    try {
      const response = await api("/api/v1/posts?mine=1");
      if (!response.ok) return;
      const data = await response.json();
      const list = $("mine");
      list.textContent = "";
      for (const post of data.posts.slice(-20).reverse()) {
        const li = document.createElement("li");
        const state = document.createElement("span");
        state.className = "state";
        state.textContent = post.state;
        li.appendChild(state);
        li.appendChild(document.createTextNode(post.text));
        list.appendChild(li);
      }
    } catch (e) {}
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    const file = photo.files && photo.files[0];
    if (!talk.value) return showError("Choose the talk.");
    if (!text.value.trim()) return showError("Write the snippet first.");
    if (graphemes(text.value.trim()) > 3000) return showError("That is over 3,000 characters: shorten it.");
    if (file && !alt.value.trim()) { alt.focus(); return showError("Describe the photo (alt text): people using screen readers get nothing from it otherwise."); }
    const item = { key: newKey(), talk: talk.value, text: text.value, alt: alt.value.trim(), hasPhoto: !!file };
    if (file) { item.photo = await readPhoto(file); item.name = file.name; }
    save(outbox().concat([item]));
    form.reset();
    talk.value = item.talk;
    $("photo-extra").hidden = true;
    $("parts").hidden = true;
    count();
    flush();
  });
  text.addEventListener("input", count);
  talk.addEventListener("change", preview);
  photo.addEventListener("change", () => {
    const file = photo.files && photo.files[0];
    $("photo-extra").hidden = !file;
    if (file) $("photo-preview").src = URL.createObjectURL(file);
  });
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  setInterval(loadTalks, 30000);
  loadTalks();
  showPending();
  flush();
})();
