/* Displayed formulas that fit their column, on a phone as on a desktop.

MathJax 3 (the version the book serves offline) breaks no display line by itself, and the
theme clips a display wider than the text column. This script runs once MathJax has
typeset the page and again whenever a display's box changes width (a rotated phone, a
resized window, a solution opened): a display wider than its box is typeset smaller, just
small enough to fit, but never below FLOOR of MathJax's own size. A display that would need
less than FLOOR keeps FLOOR and scrolls inside its own box (the class "bk-display-scroll"
draws a shadow at its edge as a cue); such a display needs its text reflowed.

Loaded by book/_ext/fit_displays.py on the pages with maths, after the MathJax
configuration and before MathJax itself (which is deferred).
*/
(function () {
  "use strict";
  const FLOOR = 0.6; // of MathJax's own size (about 0.7 of the body text's)
  const widths = new WeakMap(); // the box width each display was last fitted to

  function fit(m) {
    const box = m.clientWidth;
    if (box === 0 || widths.get(m) === box) return; // hidden (a closed solution) or done
    widths.set(m, box);
    if (m.dataset.fontSize === undefined) m.dataset.fontSize = m.style.fontSize || "";
    m.style.fontSize = m.dataset.fontSize;
    m.classList.remove("bk-display-fitted", "bk-display-scroll");
    const need = m.scrollWidth;
    if (need <= box + 0.5) return;
    const base = parseFloat(m.dataset.fontSize) || 100; // percent
    const scale = Math.max(FLOOR, (box - 1) / need);
    m.style.fontSize = (base * scale).toFixed(2) + "%";
    m.classList.add(scale > FLOOR ? "bk-display-fitted" : "bk-display-scroll");
    // Rounding of the fonts' metrics: shrink by a hair more if the first try is short.
    if (scale > FLOOR && m.scrollWidth > m.clientWidth + 0.5) {
      const again = Math.max(FLOOR, (scale * (box - 1)) / m.scrollWidth);
      m.style.fontSize = (base * again).toFixed(2) + "%";
      if (again <= FLOOR) m.classList.replace("bk-display-fitted", "bk-display-scroll");
    }
  }

  function fitAll() {
    const displays = document.querySelectorAll("mjx-container[display]");
    displays.forEach(fit);
    if (window.ResizeObserver) {
      const watch = new ResizeObserver((entries) => entries.forEach((e) => fit(e.target)));
      displays.forEach((m) => watch.observe(m));
    } else {
      window.addEventListener("resize", () => displays.forEach(fit));
    }
    document.documentElement.dataset.displaysFitted = "true";
  }

  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) {
    mj.startup.promise.then(fitAll); // MathJax came first (should not happen: it is deferred)
  } else {
    const config = (window.MathJax = mj || {});
    config.startup = config.startup || {};
    const ready = config.startup.pageReady;
    config.startup.pageReady = () =>
      (ready ? ready() : window.MathJax.startup.defaultPageReady()).then(fitAll);
  }
})();
