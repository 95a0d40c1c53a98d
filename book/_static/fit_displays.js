/* Formulas that fit their column, on a phone as on a desktop: displays and inline maths.

MathJax 3 (the version the book serves offline) breaks no line by itself, neither in a
display nor in the text, and the theme clips what is wider than its column: a display at
the column's edge, an inline formula at the edge of its box (span.math, overflow hidden,
at most the paragraph's width). This script runs once MathJax has typeset the page and
again whenever a box changes width (a rotated phone, a resized window, a solution opened):
a formula wider than its box is typeset smaller, just small enough to fit, but never below
FLOOR of MathJax's own size. A formula that would need less keeps FLOOR and scrolls inside
its own box (the classes "bk-display-scroll" and "bk-math-scroll" draw a shadow at the
edge it continues past, as the cue); such a formula needs its text reflowed or shortened.

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

  // Inline formulas: the box is the content width of the block (paragraph, list item,
  // table cell) the formula sits in; the formula's own width at MathJax's size does not
  // change with the column, so it is measured once.
  const natural = new WeakMap();

  function blockOf(m) {
    let e = m.parentElement;
    while (e && getComputedStyle(e).display.startsWith("inline")) e = e.parentElement;
    return e;
  }

  function contentWidth(e) {
    const cs = getComputedStyle(e);
    return e.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  }

  function fitInline(m, block) {
    const box = contentWidth(block);
    if (box <= 0 || widths.get(m) === box) return; // hidden (a closed solution) or done
    widths.set(m, box);
    if (m.dataset.fontSize === undefined) m.dataset.fontSize = m.style.fontSize || "";
    const wrap = m.parentElement; // span.math, which clips at the block's width
    let need = natural.get(m);
    if (need === undefined) {
      m.style.fontSize = m.dataset.fontSize;
      need = m.scrollWidth;
      if (need === 0) return widths.delete(m);
      natural.set(m, need);
    }
    if (need <= box + 0.5) {
      if (m.style.fontSize !== m.dataset.fontSize) m.style.fontSize = m.dataset.fontSize;
      wrap.classList.remove("bk-math-scroll");
      return;
    }
    const base = parseFloat(m.dataset.fontSize) || 100; // percent
    let scale = Math.max(FLOOR, (box - 1) / need);
    m.style.fontSize = (base * scale).toFixed(2) + "%";
    if (scale > FLOOR && m.scrollWidth > box + 0.5) {
      scale = Math.max(FLOOR, (scale * (box - 1)) / m.scrollWidth);
      m.style.fontSize = (base * scale).toFixed(2) + "%";
    }
    wrap.classList.toggle("bk-math-scroll", scale <= FLOOR);
  }

  function fitAll() {
    const displays = document.querySelectorAll("mjx-container[display]");
    displays.forEach(fit);
    const inline = new Map(); // block -> its inline formulas
    document.querySelectorAll("span.math > mjx-container:not([display])").forEach((m) => {
      const block = blockOf(m);
      if (!block) return;
      if (!inline.has(block)) inline.set(block, []);
      inline.get(block).push(m);
    });
    const fitBlock = (block) => (inline.get(block) || []).forEach((m) => fitInline(m, block));
    inline.forEach((_, block) => fitBlock(block));
    if (window.ResizeObserver) {
      const watch = new ResizeObserver((entries) => entries.forEach((e) => fit(e.target)));
      displays.forEach((m) => watch.observe(m));
      const watchBlocks = new ResizeObserver((entries) => entries.forEach((e) => fitBlock(e.target)));
      inline.forEach((_, block) => watchBlocks.observe(block));
    } else {
      window.addEventListener("resize", () => {
        displays.forEach(fit);
        inline.forEach((_, block) => fitBlock(block));
      });
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
