// Plays Slack's client: renders what the demo server returns, and sends every click, choice and submission back
// (the server turns each into the signed request Slack would send the bot).
"use strict";
const ui = { person: localStorage.getItem("demo-person") || "U0ANA", pane: "channel", thread: null, shown: {} };
const $ = (selector) => document.querySelector(selector);

async function post(url, body) {
  const answer = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const result = await answer.json();
  if (result.status && result.status >= 300) notice(result.problem || `the bot answered HTTP ${result.status}`);
  refresh();
  return result;
}

function notice(text) { $("#notice").textContent = text; setTimeout(() => { $("#notice").textContent = ""; }, 6000); }

function place(id, html, key) {
  // Only replace a part that changed, and never while someone is choosing or typing in it.
  const target = $(id);
  const shownKey = key === undefined ? html : key;
  if (ui.shown[id] === shownKey) return;
  if (target.contains(document.activeElement) && document.activeElement.matches("input:not([type=file]), textarea")
      && ui.shown[id] !== undefined && id !== "#modal-layer") return;
  ui.shown[id] = shownKey;
  target.innerHTML = html;
}

async function refresh() {
  const query = new URLSearchParams({ as: ui.person, pane: ui.pane, thread: ui.thread || "" });
  const state = await (await fetch(`/demo/state?${query}`)).json();
  $("#title").textContent = state.title;
  place("#main", state.main);
  place("#thread", state.thread);
  $("#thread-pane").hidden = !ui.thread;
  const layer = $("#modal-layer");
  const key = state.modal ? (state.modal.match(/data-key="([^"]*)"/) || [])[1] : "";
  place("#modal-layer", state.modal, key);
  layer.hidden = !state.modal;
  place("#xero", state.xero);
}

function surfaceOf(element) { return JSON.parse(element.dataset.surface); }

function valueOf(element) {
  const type = element.dataset.type;
  if (type === "checkboxes") return [...element.querySelectorAll("input:checked")].map((box) => box.value);
  if (type === "radio_buttons") { const picked = element.querySelector("input:checked"); return picked ? picked.value : null; }
  if (type === "external_select") return element.dataset.option ? JSON.parse(element.dataset.option) : null;
  return element.value === "" ? null : element.value;
}

function act(element, value) {
  return post("/demo/act", {
    as: ui.person, surface: surfaceOf(element), action_id: element.dataset.actionId,
    block_id: element.dataset.blockId, type: element.dataset.type, value,
  });
}

document.addEventListener("click", (event) => {
  const target = event.target;
  const reconcile = target.closest("button[data-reconcile]");
  if (reconcile) { event.preventDefault(); post("/demo/xero/reconcile", { id: reconcile.dataset.reconcile }); return; }
  const button = target.closest("button[data-action-id]");
  if (button) {
    event.preventDefault();
    if (button.dataset.url && button.dataset.url !== "#") window.open(button.dataset.url, "_blank");
    act(button);
    return;
  }
  const suggestion = target.closest(".suggestions button");
  if (suggestion) {
    event.preventDefault();
    const holder = suggestion.closest(".external");
    holder.dataset.option = suggestion.dataset.option;
    holder.querySelector(".chosen").textContent = suggestion.textContent;
    holder.querySelector(".suggestions").innerHTML = "";
    if (!holder.dataset.inInput) act(holder, JSON.parse(holder.dataset.option));
    return;
  }
  const pane = target.closest(".pane-link");
  if (pane) {
    event.preventDefault();
    document.querySelectorAll(".pane-link").forEach((link) => link.classList.toggle("active", link === pane));
    ui.pane = pane.dataset.pane; ui.thread = null; ui.shown = {};
    if (ui.pane === "home") post("/demo/home-opened", { as: ui.person }); else refresh();
    return;
  }
  const replies = target.closest(".replies");
  if (replies) { event.preventDefault(); ui.thread = replies.dataset.thread; ui.shown["#thread"] = undefined; refresh(); return; }
  if (target.id === "close-thread") { event.preventDefault(); ui.thread = null; refresh(); return; }
  if (target.id === "modal-submit") { event.preventDefault(); submitModal(); return; }
  if (target.id === "modal-close") {
    event.preventDefault();
    post("/demo/close", { as: ui.person, view_id: $(".modal").dataset.viewId });
  }
});

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.id === "person") {
    ui.person = target.value; localStorage.setItem("demo-person", ui.person); ui.thread = null; ui.shown = {};
    if (ui.pane === "home") post("/demo/home-opened", { as: ui.person }); else refresh();
    return;
  }
  const element = target.closest("[data-action-id]");
  if (!element || element.dataset.inInput || element.dataset.type === "button") return;
  if (element.dataset.type === "external_select") return;
  if (target.blur) target.blur();  // a choice is sent at once, as in Slack; the redrawn message replaces it
  act(element, valueOf(element));
});

let typing = null;
document.addEventListener("input", (event) => {
  const holder = event.target.closest(".external");
  if (!holder) return;
  clearTimeout(typing);
  typing = setTimeout(async () => {
    const query = event.target.value;
    if (query.length < Number(event.target.dataset.min || 1)) return;
    const found = await (await fetch("/demo/suggest", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ as: ui.person, surface: surfaceOf(holder), action_id: holder.dataset.actionId,
        block_id: holder.dataset.blockId, query }),
    })).json();
    const list = holder.querySelector(".suggestions");
    list.innerHTML = "";
    for (const option of found.options) {
      const choice = document.createElement("button");
      choice.textContent = option.text.text;  // text, never HTML
      choice.dataset.option = JSON.stringify(option);
      list.appendChild(choice);
    }
  }, 250);
});

function submitModal() {
  const modal = $(".modal");
  const values = {};
  modal.querySelectorAll(".block.input").forEach((block) => {
    const element = block.querySelector("[data-action-id]");
    if (!element) return;
    const value = valueOf(element);
    if (value === null || value === undefined || (Array.isArray(value) && !value.length && element.dataset.type !== "checkboxes")) return;
    values[element.dataset.blockId] = { [element.dataset.actionId]: value };
  });
  ui.shown["#modal-layer"] = undefined;
  post("/demo/submit", { as: ui.person, view_id: modal.dataset.viewId, values });
}

$("#composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("#command").value;
  if (!text.trim()) return;
  $("#command").value = "";
  post("/demo/command", { as: ui.person, pane: ui.pane, text });
});

$("#reply").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData($("#reply"));
  form.append("as", ui.person); form.append("pane", ui.pane); form.append("thread", ui.thread || "");
  const result = await (await fetch("/demo/reply", { method: "POST", body: form })).json();
  if (result.status >= 300) notice(result.problem || `the bot answered HTTP ${result.status}`);
  $("#reply").reset();
  refresh();
});

$("#new-payment").addEventListener("click", () => post("/demo/payments", { count: 1 }));
$("#new-payments-20").addEventListener("click", () => post("/demo/payments", { count: 20 }));
$("#person").value = ui.person;
refresh();
setInterval(refresh, 500);
