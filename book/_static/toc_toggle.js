// The sidebar's toggle of a chapter's sections is a <summary> holding only an icon, which
// a screen reader cannot name (axe: summary-name). Each gets the name of its chapter.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("summary").forEach((s) => {
    if (s.textContent.trim() || s.hasAttribute("aria-label")) return;
    const item = s.closest("li");
    const link = item ? item.querySelector(":scope > a") : null;
    const name = link ? link.textContent.trim() : "this chapter";
    s.setAttribute("aria-label", `Show or hide the sections of ${name}`);
  });
});
