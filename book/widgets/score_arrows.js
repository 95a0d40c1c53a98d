/* The interactive score-arrow figure of the chapter "Deriving the score".
 *
 * Plain JavaScript and SVG, no library: it runs in the book's static HTML, offline.
 * Every element carrying the attribute `data-score-arrows` becomes one figure showing,
 * for a single state s with 3 to 5 actions b and two features:
 *
 *   - the feature vector phi(s,b) of each action as a dot whose AREA is pi(b|s),
 *   - theta as an arrow from the origin (green), the preferences being h_b = phi(s,b)^T theta,
 *   - the average feature E_pi[phi(s,.)] = sum_b pi(b|s) phi(s,b) as a star,
 *   - the score of each action, (phi(s,b) - E_pi[phi(s,.)]) / tau, as an arrow from the star.
 *
 * The reader drags the dots and the tip of theta (or focuses them and uses the arrow keys),
 * types numbers in the boxes, sets the temperature tau, and can switch to one-hot (tabular)
 * features phi(s,b) = e_b, where theta holds one preference per action and the score of the
 * action taken, a, is (e_a - pi) / tau.
 *
 * The numbers are those of softmax_pg.action_probs and softmax_pg.score; tests/test_widget.py
 * checks them in headless Chromium, extreme preferences (+-700, tau = 0.05) included.
 *
 * Add the attribute `data-tabular` to start with one-hot features.
 *
 * A small API, for readers' experiments in the browser console and for the tests:
 *   ScoreArrows.instances[i].set({features, theta, tau, action, n, tabular, preferences})
 *       changes any part of the state (features: n rows [phi_1, phi_2]; preferences: the
 *       tabular theta, one entry per action) and redraws;
 *   ScoreArrows.instances[i].state()
 *       returns a copy of the state and the computed pi, mean feature and scores.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ the mathematics
  // Softmax of h / tau with the maximum subtracted first, as softmax_pg.softmax does:
  // every exponent is <= 0, so nothing overflows, and the sum is at least 1.
  function softmax(h, tau) {
    const m = Math.max(...h);
    const z = h.map((v) => Math.exp((v - m) / tau));
    const total = z.reduce((s, v) => s + v, 0);
    return z.map((v) => v / total);
  }

  // Everything the figure shows, from the state. Features are the rows of Phi
  // (one per action); with one-hot features Phi is the identity and theta the preferences.
  function compute(st) {
    const n = st.n;
    const phi = st.tabular
      ? identity(n)
      : st.features.slice(0, n);
    const theta = st.tabular ? st.preferences.slice(0, n) : st.theta;
    const h = phi.map((row) => dot(row, theta)); // h_b = phi(s,b)^T theta
    const pi = softmax(h, st.tau);
    const d = phi[0].length;
    const mean = new Array(d).fill(0); // E_pi[phi] = sum_b pi_b phi(s,b)
    phi.forEach((row, b) => row.forEach((v, i) => { mean[i] += pi[b] * v; }));
    // score of action b: (phi(s,b) - E_pi[phi]) / tau  (= (e_b - pi) / tau when one-hot)
    const scores = phi.map((row) => row.map((v, i) => (v - mean[i]) / st.tau));
    const weighted = new Array(d).fill(0); // sum_b pi_b score_b: zero up to rounding
    scores.forEach((g, b) => g.forEach((v, i) => { weighted[i] += pi[b] * v; }));
    return { phi, h, pi, mean, scores, weighted };
  }

  // "E_pi[phi]" with a real subscript
  function expectation() {
    return el("span", {}, "E", el("sub", {}, "\u03c0"), "[\u03c6]");
  }

  function dot(x, y) {
    return x.reduce((s, v, i) => s + v * y[i], 0);
  }

  function identity(n) {
    return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  }

  // ------------------------------------------------------------------ formatting
  const MINUS = "\u2212";

  // Fixed 4 decimals (the displayed precision), a real minus sign, no "-0.0000".
  function fmt(x) {
    if (Math.abs(x) >= 1e6) return x.toExponential(4).replace("-", MINUS);
    const s = x.toFixed(4);
    return /^-0\.0+$/.test(s) ? s.slice(1) : s.replace("-", MINUS);
  }

  // Rounding-size numbers such as 2.8e-17: two significant digits, exactly 0 as "0".
  function fmtTiny(x) {
    if (x === 0) return "0";
    const [mantissa, exponent] = x.toExponential(1).split("e");
    return mantissa.replace("-", MINUS) + "e" + exponent;
  }

  // A number as the page shows it: the text at the displayed precision, the full value
  // (JavaScript's shortest round-trip form) in data-value for anyone who wants it.
  function setNumber(node, x, format) {
    node.textContent = (format || fmt)(x);
    node.dataset.value = String(x);
  }

  function vectorHTML(cls, x, format) {
    const span = el("span", { class: cls });
    span.append("(");
    x.forEach((v, i) => {
      if (i) span.append(", ");
      const num = el("span", { class: "sa-num" });
      setNumber(num, v, format);
      span.append(num);
    });
    span.append(")");
    return span;
  }

  // ------------------------------------------------------------------ DOM helpers
  const SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    e.append(...children);
    return e;
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    e.append(...children);
    return e;
  }

  // ------------------------------------------------------------------ the figure
  // The first four actions and theta are those of the static figure above the widget.
  const DEFAULTS = {
    n: 4,
    features: [[2, 0.5], [0, 2], [-1.5, -0.5], [0.5, -1.8], [-2, 1.5]],
    theta: [0.8, 0.6],
    preferences: [0, 0, 0, 0, 0],
    tau: 1,
    action: 0,
    tabular: false,
  };
  const TAU_STEPS = [0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5];
  const BOX = { xmin: -3, xmax: 3.5, ymin: -3, ymax: 3.5, size: 400 }; // data box -> SVG units
  const UNIT = BOX.size / (BOX.xmax - BOX.xmin);
  const STEP = 0.1; // arrow keys move a point by this much (Shift: 5 times as far)
  // Bounds on what a reader can enter, so that every number shown stays finite:
  // |preference| <= 2 * LIMIT^2 and |score| <= 2 * LIMIT / TAU_MIN.
  const LIMIT = 1000;
  const TAU_MIN = 0.01;
  const TAU_MAX = 100;
  const okValue = (v) => Number.isFinite(v) && Math.abs(v) <= LIMIT;
  const okTau = (v) => Number.isFinite(v) && v >= TAU_MIN && v <= TAU_MAX;
  let counter = 0;

  const COORDS = { height: 270, left: 30 }; // the one-hot chart: value v drawn at height cy(v)
  const cy = (v) => 210 - 160 * v;
  const sx = (x) => (x - BOX.xmin) * UNIT;
  const sy = (y) => (BOX.ymax - y) * UNIT;

  function ScoreArrowsFigure(root) {
    const id = "sa" + counter++;
    const st = JSON.parse(JSON.stringify(DEFAULTS));
    st.tabular = root.hasAttribute("data-tabular"); // a page can start the figure one-hot
    let out = null; // the latest compute(st)

    // --- static skeleton: plane on the left (top on a phone), controls and numbers beside it
    root.replaceChildren();
    root.classList.add("sa-root");
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "Interactive score-arrow figure");

    const plane = svg("svg", {
      class: "sa-plane",
      viewBox: `0 0 ${BOX.size} ${BOX.size}`,
      role: "group",
      "aria-label": "Feature plane: the dots are the actions' features, the star their average, " +
        "the orange arrows the scores, the green arrow theta",
    });
    plane.append(markers(id));
    const layers = {};
    for (const name of ["grid", "arrows", "dots", "star", "theta", "handles"]) {
      layers[name] = svg("g", { class: "sa-" + name });
      plane.append(layers[name]);
    }
    drawGrid(layers.grid);
    const star = svg("path", { class: "sa-star", d: starPath(11, 4.6), "aria-hidden": "true" });
    layers.star.append(star);
    const thetaLine = svg("line", { class: "sa-theta-arrow", "marker-end": `url(#${id}-green)` });
    const thetaLabel = svg("text", { class: "sa-label sa-theta-label" });
    thetaLabel.textContent = "\u03b8";
    layers.theta.append(thetaLine, thetaLabel);
    const thetaHandle = handle("sa-theta-handle");
    layers.handles.append(thetaHandle);
    dragAndKeys(thetaHandle, () => st.theta);

    // One-hot features: each action is its own coordinate, so instead of the plane we draw
    // the coordinates side by side. Coordinate b of the average feature is pi_b (bar and
    // star), coordinate b of phi(s,a) = e_a is 1 or 0 (dot), and the arrow from the star is
    // coordinate b of the score (e_a - pi)_b / tau: the plane's picture, one axis at a time.
    const coords = svg("svg", {
      class: "sa-coords",
      viewBox: `0 0 ${BOX.size} ${COORDS.height}`,
      role: "img",
      "aria-label": "One-hot features: for each action b, the bar is pi(b|s), the star the " +
        "average feature's coordinate b, the dot the coordinate b of e_a, and the arrow the " +
        "score's coordinate b",
    });
    coords.append(markers(id + "-t")); // its own markers: the plane is hidden in this mode
    for (const v of [0, 1]) {
      coords.append(svg("line", { class: v ? "sa-grid" : "sa-axis", x1: COORDS.left, x2: BOX.size,
        y1: cy(v), y2: cy(v) }));
      const t = svg("text", { class: "sa-tick", x: COORDS.left - 6, y: cy(v) + 4, "text-anchor": "end" });
      t.textContent = String(v);
      coords.append(t);
    }
    const coordsLayer = svg("g");
    coords.append(coordsLayer);
    const tabularNote = el("p", { class: "sa-tabular-note", hidden: "" },
      "One-hot features \u03c6(s,b) = e", el("sub", {}, "b"), ": one coordinate per action. Bars: " +
      "\u03c0(b|s), the average feature; dots: e", el("sub", {}, "a"), "; arrows: the score " +
      "(e", el("sub", {}, "a"), " \u2212 \u03c0)/\u03c4. \u03b8 holds one preference per action.");
    const figure = el("div", { class: "sa-figure" }, plane, coords, tabularNote);

    // --- controls
    const tabularBox = el("input", { type: "checkbox", class: "sa-tabular" });
    const nSelect = el("select", { class: "sa-n" });
    for (const k of [3, 4, 5]) nSelect.append(el("option", { value: k }, String(k)));
    const actionSelect = el("select", { class: "sa-action" });
    const thetaBox = el("div", { class: "sa-theta-inputs" });
    const tauRange = el("input", {
      type: "range", class: "sa-tau-range", min: 0, max: TAU_STEPS.length - 1, step: 1,
      "aria-label": "Temperature tau (slider)",
    });
    const tauInput = el("input", {
      type: "number", class: "sa-tau", min: TAU_MIN, max: TAU_MAX, step: "0.05", inputmode: "decimal",
      "aria-label": "Temperature tau",
    });
    const message = el("p", { class: "sa-message", role: "alert" });
    const controls = el("div", { class: "sa-controls" },
      el("label", { class: "sa-check" }, tabularBox, " one-hot (tabular) features"),
      el("label", {}, "actions ", nSelect),
      el("label", {}, "action taken a ", actionSelect),
      thetaBox,
      el("label", { class: "sa-tau-label" }, "temperature \u03c4 ", tauRange, tauInput),
      message);

    // --- the numbers: one row per action, then the readout
    const featureHead = el("th", { scope: "col" });
    const scoreHead = el("th", { scope: "col" });
    const tbody = el("tbody");
    const table = el("table", { class: "sa-table" },
      el("caption", {}, "Each action's features, probability and score"),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "b"), featureHead,
        el("th", { scope: "col" }, "\u03c0(b|s)"), scoreHead)),
      tbody);
    const readout = el("div", { class: "sa-readout" });
    const status = el("p", { class: "sa-status", "aria-live": "polite" }); // for screen readers
    const panel = el("div", { class: "sa-panel" }, controls, table, readout, status);
    root.append(figure, panel);

    // --- wiring of the controls
    tabularBox.addEventListener("change", () => {
      if (tabularBox.checked && !st.tabular) {
        // start the tabular policy at the current preferences: pi is unchanged by the switch
        // (to 12 significant digits, so the boxes show 1.9 rather than 1.9000000000000001)
        out.h.forEach((v, b) => { st.preferences[b] = Number(v.toPrecision(12)); });
      }
      api.set({ tabular: tabularBox.checked });
      announce();
    });
    nSelect.addEventListener("change", () => { api.set({ n: Number(nSelect.value) }); announce(); });
    actionSelect.addEventListener("change", () => { api.set({ action: Number(actionSelect.value) }); announce(); });
    tauRange.addEventListener("input", () => { api.set({ tau: TAU_STEPS[Number(tauRange.value)] }); });
    tauRange.addEventListener("change", announce);
    numberInput(tauInput, okTau, `\u03c4 must be a number from ${TAU_MIN} to ${TAU_MAX}`, (v) => { st.tau = v; });

    // A number box: on every keystroke that makes a valid number, update the figure;
    // anything else marks the box invalid and leaves the figure as it was.
    function numberInput(input, valid, problem, apply) {
      input.addEventListener("input", () => {
        const v = input.value.trim() === "" ? NaN : Number(input.value);
        const ok = Number.isFinite(v) && valid(v);
        input.setAttribute("aria-invalid", String(!ok));
        message.textContent = ok ? "" : problem;
        if (ok) { apply(v); update(); }
      });
      input.addEventListener("change", announce);
    }

    // Rebuilt when the number of actions or the kind of features changes.
    function build() {
      actionSelect.replaceChildren(...Array.from({ length: st.n }, (_, b) =>
        el("option", { value: b }, String(b))));
      featureHead.replaceChildren(...(st.tabular ? ["\u03c6(s,b) = e", el("sub", {}, "b")] : ["\u03c6(s,b)"]));
      scoreHead.textContent = st.tabular ? "score of a, entry b" : "score of b";
      // theta: two numbers, or one preference per action when one-hot
      const dims = st.tabular ? st.n : 2;
      thetaBox.replaceChildren(el("span", { class: "sa-theta-title" }, "\u03b8 "));
      for (let i = 0; i < dims; i++) {
        const input = el("input", {
          type: "number", step: "0.1", class: "sa-theta-" + i, inputmode: "decimal",
          "aria-label": st.tabular ? `theta ${i}, the preference of action ${i}` : `theta, coordinate ${i + 1}`,
        });
        numberInput(input, okValue, `\u03b8 must be a number from \u2212${LIMIT} to ${LIMIT}`, (v) => {
          (st.tabular ? st.preferences : st.theta)[i] = v;
        });
        thetaBox.append(input);
      }
      tbody.replaceChildren();
      layers.arrows.replaceChildren();
      layers.dots.replaceChildren();
      layers.handles.replaceChildren(thetaHandle);
      for (let b = 0; b < st.n; b++) {
        const cells = [el("th", { scope: "row" }, String(b))];
        if (st.tabular) {
          cells.push(el("td", { class: "sa-onehot" }));
        } else {
          const inputs = [0, 1].map((i) => {
            const input = el("input", {
              type: "number", step: "0.1", class: `sa-phi-${b}-${i}`, inputmode: "decimal",
              "aria-label": `feature ${i + 1} of action ${b}`,
            });
            numberInput(input, okValue, `features must be numbers from \u2212${LIMIT} to ${LIMIT}`,
              (v) => { st.features[b][i] = v; });
            return input;
          });
          cells.push(el("td", { class: "sa-phi" }, ...inputs));
        }
        cells.push(el("td", { class: "sa-prob" },
          el("span", { class: "sa-bar", "aria-hidden": "true" }, el("span", { class: "sa-bar-fill" })),
          el("span", { class: "sa-pi sa-num" })));
        cells.push(el("td", { class: "sa-score" }));
        tbody.append(el("tr", { "data-action": b }, ...cells));
        // the plane: arrow, probability disc, label and draggable point of action b
        layers.arrows.append(svg("line", { class: "sa-score-arrow", "marker-end": `url(#${id}-orange)` }));
        layers.dots.append(svg("circle", { class: "sa-disc" }));
        layers.dots.append(svg("text", { class: "sa-label", "text-anchor": "middle" }));
        const h = handle("sa-point");
        h.dataset.action = b;
        layers.handles.append(h);
        dragAndKeys(h, () => st.features[b]);
      }
      coordsLayer.replaceChildren();
      const slot = (BOX.size - COORDS.left) / st.n;
      for (let b = 0; b < st.n && st.tabular; b++) {
        const x = COORDS.left + (b + 0.5) * slot;
        const label = svg("text", { class: "sa-label", x, y: COORDS.height - 6, "text-anchor": "middle" });
        label.textContent = "b = " + b;
        coordsLayer.append(svg("g", { "data-action": b },
          svg("rect", { class: "sa-bar-rect", x: x - 0.2 * slot, width: 0.4 * slot }),
          svg("line", { class: "sa-score-arrow", x1: x, x2: x, "marker-end": `url(#${id}-t-orange)` }),
          svg("path", { class: "sa-star", d: starPath(9, 3.8) }),
          svg("circle", { class: "sa-onehot-dot", cx: x, r: 5 }),
          label));
      }
      plane.style.display = st.tabular ? "none" : "";
      coords.style.display = st.tabular ? "" : "none";
      tabularNote.hidden = !st.tabular;
    }

    // Redraw everything from the state (cheap: a few dozen attributes).
    function update() {
      out = compute(st);
      const { pi, mean, scores, weighted } = out;
      const a = st.action;
      // inputs show the state, except the one the reader is typing in
      const show = (input, v) => { if (document.activeElement !== input) input.value = String(v); };
      tabularBox.checked = st.tabular;
      nSelect.value = String(st.n);
      actionSelect.value = String(a);
      (st.tabular ? st.preferences : st.theta).slice(0, thetaBox.children.length - 1)
        .forEach((v, i) => show(thetaBox.children[i + 1], v));
      show(tauInput, st.tau);
      tauRange.value = String(nearestStep(st.tau));
      tauRange.setAttribute("aria-valuetext", "tau = " + st.tau);

      Array.from(tbody.children).forEach((row, b) => {
        row.classList.toggle("sa-chosen", b === a);
        if (st.tabular) {
          row.querySelector(".sa-onehot").replaceChildren("e", el("sub", {}, String(b)));
        } else {
          row.querySelectorAll(".sa-phi input").forEach((input, i) => show(input, st.features[b][i]));
        }
        setNumber(row.querySelector(".sa-pi"), pi[b]);
        row.querySelector(".sa-bar-fill").style.width = (100 * pi[b]).toFixed(1) + "%";
        const cell = row.querySelector(".sa-score");
        if (st.tabular) {
          const num = el("span", { class: "sa-num" });
          setNumber(num, scores[a][b]); // (e_a - pi)_b / tau
          cell.replaceChildren(num);
        } else {
          cell.replaceChildren(vectorHTML("sa-vec", scores[b]));
        }
      });

      // readout: the average feature, the score of a, and the zero-mean check
      const overTau = st.tau === 1 ? "" : " / \u03c4";
      const phiA = st.tabular ? ["(e", el("sub", {}, String(a)), ` \u2212 \u03c0)${overTau} = `] : [];
      readout.replaceChildren(
        el("p", { class: "sa-mean" }, expectation(), " = ", st.tabular ? "\u03c0 = " : "",
          vectorHTML("sa-vec", mean)),
        el("p", { class: "sa-chosen-score" },
          `score of a = ${a}: (\u03c6(s,${a}) \u2212 `, expectation(), `)${overTau} = `, ...phiA,
          vectorHTML("sa-vec", scores[a])),
        el("p", { class: "sa-sum" }, "\u03a3", el("sub", {}, "b"), " \u03c0(b|s) \u00b7 score of b = ",
          vectorHTML("sa-vec", weighted, fmtTiny), " (zero up to rounding)"));

      if (st.tabular) drawCoords();
      else drawPlane();
    }

    function drawPlane() {
      const { pi, mean, scores } = out;
      const arrows = layers.arrows.children;
      const dots = layers.dots.children;
      const points = layers.handles.querySelectorAll(".sa-point");
      for (let b = 0; b < st.n; b++) {
        const [x, y] = st.features[b];
        const tip = [mean[0] + scores[b][0], mean[1] + scores[b][1]];
        const arrow = arrows[b];
        setLine(arrow, mean, tip);
        arrow.classList.toggle("sa-chosen", b === st.action);
        arrow.style.display = Math.hypot(scores[b][0], scores[b][1]) * UNIT < 1 ? "none" : "";
        const disc = dots[2 * b];
        disc.setAttribute("cx", sx(x));
        disc.setAttribute("cy", sy(y));
        disc.setAttribute("r", 28 * Math.sqrt(pi[b])); // area proportional to pi, as in the static figure
        const label = dots[2 * b + 1];
        // the label goes centred under the disc, kept inside the box
        label.setAttribute("x", Math.min(Math.max(sx(x), 72), BOX.size - 72));
        label.setAttribute("y", sy(y) + Math.max(28 * Math.sqrt(pi[b]), 6) + 14);
        label.textContent = `\u03c6(s,${b}), \u03c0 = ${pi[b].toFixed(2)}`;
        placeHandle(points[b], [x, y],
          `Features of action ${b}: (${fmt(x)}, ${fmt(y)}), probability ${fmt(pi[b])}. ` +
          "Arrow keys move it by 0.1, with Shift by 0.5.");
      }
      const labels = Array.from({ length: st.n }, (_, b) => dots[2 * b + 1]);
      separateLabels(labels);
      star.setAttribute("transform", `translate(${sx(mean[0])},${sy(mean[1])})`);
      setLine(thetaLine, [0, 0], st.theta);
      thetaLabel.setAttribute("x", sx(st.theta[0]) + 8);
      thetaLabel.setAttribute("y", sy(st.theta[1]) + 16);
      clearTicks(labels.concat(thetaLabel));
      placeHandle(thetaHandle, st.theta,
        `Tip of theta: (${fmt(st.theta[0])}, ${fmt(st.theta[1])}). Arrow keys move it by 0.1, with Shift by 0.5.`);
    }

    function drawCoords() {
      const { pi, scores } = out;
      Array.from(coordsLayer.children).forEach((g, b) => {
        const [bar, arrow, starB, dotB] = g.children;
        const x = Number(dotB.getAttribute("cx"));
        const top = Math.min(cy(pi[b]), cy(0));
        bar.setAttribute("y", top);
        bar.setAttribute("height", Math.abs(cy(pi[b]) - cy(0)));
        const tip = pi[b] + scores[st.action][b]; // (e_a - pi)_b / tau from the star
        arrow.setAttribute("y1", cy(pi[b]));
        arrow.setAttribute("y2", cy(Math.min(Math.max(tip, -0.2), 1.3))); // kept in the chart
        arrow.style.display = Math.abs(cy(tip) - cy(pi[b])) < 1 ? "none" : "";
        starB.setAttribute("transform", `translate(${x},${cy(pi[b])})`);
        dotB.setAttribute("cy", cy(b === st.action ? 1 : 0));
      });
    }

    function setLine(line, from, to) {
      line.setAttribute("x1", sx(from[0]));
      line.setAttribute("y1", sy(from[1]));
      line.setAttribute("x2", sx(to[0]));
      line.setAttribute("y2", sy(to[1]));
    }

    // A point shown where it is, kept inside the box when the value is outside it.
    // Labels of points close together would print over each other: a label that meets
    // one already placed moves just below it (or above, at the bottom of the box).
    function separateLabels(labels) {
      const placed = [];
      const meets = (a, o) => a.x < o.x + o.width && o.x < a.x + a.width &&
        a.y < o.y + o.height && o.y < a.y + a.height;
      for (const label of labels) {
        let box = label.getBBox();
        for (let tries = 0; box.width > 0 && tries <= placed.length; tries++) {
          const hit = placed.find((o) => meets(box, o));
          if (!hit) break;
          const base = Number(label.getAttribute("y")); // the text's baseline
          const under = hit.y + hit.height + 1 + (base - box.y); // its top just under hit
          const over = hit.y - 1 - (box.y + box.height - base); // its bottom just over hit
          const y = under + (box.y + box.height - base) <= BOX.size ? under : over;
          label.setAttribute("y", y);
          box = label.getBBox();
        }
        placed.push(box);
      }
    }

    // The axes' numbers and names give way to the points' labels: a tick label that a
    // point's label (or theta's) would cover is hidden until the point moves away. On a
    // phone the plane is drawn at about 0.8 of its size and they would meet often.
    const ticks = Array.from(layers.grid.querySelectorAll("text"));
    function clearTicks(labels) {
      const meets = (a, o) => a.x < o.x + o.width && o.x < a.x + a.width &&
        a.y < o.y + o.height && o.y < a.y + a.height;
      const boxes = labels.map((l) => l.getBBox()).filter((b) => b.width > 0);
      const covered = (t) => {
        const box = t.getBBox();
        return box.width > 0 && boxes.some((o) => meets(box, o));
      };
      for (const t of ticks) {
        t.style.display = "";
        // an axis's name tries the other end of its axis before it gives way
        const spots = AXIS_NAME_SPOTS[t.dataset.axisName] || [];
        for (const [x, y, anchor] of spots) {
          t.setAttribute("x", x);
          t.setAttribute("y", y);
          t.setAttribute("text-anchor", anchor);
          if (!covered(t)) break;
        }
        if (covered(t)) t.style.display = "none";
      }
    }

    function placeHandle(h, [x, y], label) {
      const cx = Math.min(Math.max(x, BOX.xmin), BOX.xmax);
      const cy = Math.min(Math.max(y, BOX.ymin), BOX.ymax);
      h.setAttribute("transform", `translate(${sx(cx)},${sy(cy)})`);
      h.setAttribute("aria-label", label);
    }

    // Pointer dragging and arrow keys for a point whose [x, y] target() returns.
    function dragAndKeys(h, target) {
      h.addEventListener("pointerdown", (e) => {
        h.setPointerCapture(e.pointerId);
        h.focus();
        e.preventDefault();
      });
      h.addEventListener("pointermove", (e) => {
        if (!h.hasPointerCapture(e.pointerId)) return;
        const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(plane.getScreenCTM().inverse());
        const v = target();
        v[0] = round(Math.min(Math.max(BOX.xmin + p.x / UNIT, BOX.xmin), BOX.xmax));
        v[1] = round(Math.min(Math.max(BOX.ymax - p.y / UNIT, BOX.ymin), BOX.ymax));
        update();
      });
      h.addEventListener("pointerup", announce);
      h.addEventListener("keydown", (e) => {
        const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
        if (!(e.key in moves)) return;
        e.preventDefault(); // the page must not scroll
        const step = e.shiftKey ? 5 * STEP : STEP;
        const v = target();
        v[0] = round(Math.min(Math.max(v[0] + step * moves[e.key][0], -LIMIT), LIMIT));
        v[1] = round(Math.min(Math.max(v[1] + step * moves[e.key][1], -LIMIT), LIMIT));
        update();
        announce();
      });
    }

    // A short summary for screen readers, after each completed change (not every frame).
    function announce() {
      const probs = out.pi.map((p) => p.toFixed(2)).join(", ");
      const g = out.scores[st.action].map(fmt).join(", ");
      status.textContent = `Probabilities ${probs}. Score of action ${st.action}: (${g}).`;
    }

    const api = {
      root,
      set(changes) {
        checkChanges(changes, "n" in changes ? changes.n : st.n);
        const structural = ("n" in changes && changes.n !== st.n) ||
          ("tabular" in changes && changes.tabular !== st.tabular);
        for (const key of ["n", "tau", "action", "tabular"]) {
          if (key in changes) st[key] = changes[key];
        }
        if (changes.theta) st.theta = changes.theta.slice(0, 2);
        if (changes.features) changes.features.forEach((row, b) => { st.features[b] = row.slice(0, 2); });
        if (changes.preferences) changes.preferences.forEach((v, b) => { st.preferences[b] = v; });
        st.action = Math.min(st.action, st.n - 1);
        if (structural) build();
        update();
        return api;
      },
      state() {
        return JSON.parse(JSON.stringify({ ...st, ...out }));
      },
    };

    build();
    update();
    announce();
    return api;
  }

  // The API's one check of its input (the controls only ever pass valid values): a bad
  // value raises an error naming the argument, its value and what was expected.
  function checkChanges(c, n) {
    const fail = (name, expected) => {
      throw new RangeError(`${name} = ${JSON.stringify(c[name])}: expected ${expected}`);
    };
    const value = (v) => typeof v === "number" && okValue(v);
    const pair = (v) => Array.isArray(v) && v.length === 2 && v.every(value);
    const numbers = `numbers from -${LIMIT} to ${LIMIT}`;
    if ("n" in c && !(Number.isInteger(c.n) && c.n >= 3 && c.n <= 5)) fail("n", "an integer from 3 to 5");
    if ("tau" in c && !(typeof c.tau === "number" && okTau(c.tau))) fail("tau", `a number from ${TAU_MIN} to ${TAU_MAX}`);
    if ("tabular" in c && typeof c.tabular !== "boolean") fail("tabular", "true or false");
    if ("action" in c && !(Number.isInteger(c.action) && c.action >= 0 && c.action < n)) {
      fail("action", `an integer from 0 to ${n - 1}`);
    }
    if ("theta" in c && !pair(c.theta)) fail("theta", `two ${numbers}`);
    if ("features" in c && !(Array.isArray(c.features) && c.features.length <= 5 && c.features.every(pair))) {
      fail("features", `at most 5 rows of two ${numbers}`);
    }
    if ("preferences" in c && !(Array.isArray(c.preferences) && c.preferences.length <= 5 &&
        c.preferences.every(value))) {
      fail("preferences", `at most 5 ${numbers}`);
    }
  }

  // ------------------------------------------------------------------ drawing helpers
  function round(v) {
    return Math.round(v * 100) / 100; // two decimals keep dragged values readable
  }

  function nearestStep(tau) {
    let best = 0;
    TAU_STEPS.forEach((t, i) => {
      if (Math.abs(Math.log(t / tau)) < Math.abs(Math.log(TAU_STEPS[best] / tau))) best = i;
    });
    return best;
  }

  function handle(cls) {
    const g = svg("g", { class: "sa-handle " + cls, tabindex: "0", role: "button",
      "aria-roledescription": "draggable point" });
    g.append(svg("circle", { class: "sa-hit", r: 14 }), svg("circle", { class: "sa-dot", r: 4.5 }));
    return g;
  }

  function markers(id) {
    const defs = svg("defs");
    for (const colour of ["orange", "green"]) {
      const m = svg("marker", {
        id: `${id}-${colour}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 11, markerHeight: 11, markerUnits: "userSpaceOnUse", orient: "auto",
        class: "sa-head-" + colour,
      });
      m.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
      defs.append(m);
    }
    return defs;
  }

  // Where the name of each axis may go, in order of preference: [x, y, text-anchor].
  const AXIS_NAME_SPOTS = {
    1: [[BOX.size - 4, sy(0) - 5, "end"], [4, sy(0) - 5, "start"]],
    2: [[sx(0) - 5, 12, "end"], [sx(0) - 5, BOX.size - 4, "end"]],
  };

  function drawGrid(g) {
    for (let k = Math.ceil(BOX.xmin); k <= BOX.xmax; k++) {
      g.append(svg("line", { class: k ? "sa-grid" : "sa-axis", x1: sx(k), x2: sx(k), y1: 0, y2: BOX.size }));
      const t = svg("text", { class: "sa-tick", x: sx(k) + 3, y: sy(0) + 14 });
      t.textContent = k ? String(k).replace("-", MINUS) : "";
      g.append(t);
    }
    for (let k = Math.ceil(BOX.ymin); k <= BOX.ymax; k++) {
      g.append(svg("line", { class: k ? "sa-grid" : "sa-axis", y1: sy(k), y2: sy(k), x1: 0, x2: BOX.size }));
      const t = svg("text", { class: "sa-tick", x: sx(0) + 3, y: sy(k) - 3 });
      t.textContent = k ? String(k).replace("-", MINUS) : "";
      g.append(t);
    }
    const [x1, y1, a1] = AXIS_NAME_SPOTS["1"][0];
    const fx = svg("text", { class: "sa-tick", x: x1, y: y1, "text-anchor": a1, "data-axis-name": "1" });
    fx.textContent = "feature 1";
    const [x2, y2, a2] = AXIS_NAME_SPOTS["2"][0];
    const fy = svg("text", { class: "sa-tick", x: x2, y: y2, "text-anchor": a2, "data-axis-name": "2" });
    fy.textContent = "feature 2";
    g.append(fx, fy);
  }

  function starPath(outer, inner) {
    const pts = [];
    for (let k = 0; k < 10; k++) {
      const r = k % 2 ? inner : outer;
      const angle = Math.PI / 2 + (k * Math.PI) / 5;
      pts.push(`${(r * Math.cos(angle)).toFixed(2)},${(-r * Math.sin(angle)).toFixed(2)}`);
    }
    return "M" + pts.join("L") + "Z";
  }

  // ------------------------------------------------------------------ start
  const ScoreArrows = { instances: [], softmax, compute };
  window.ScoreArrows = ScoreArrows;

  function start() {
    document.querySelectorAll("[data-score-arrows]").forEach((root) => {
      ScoreArrows.instances.push(ScoreArrowsFigure(root));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
