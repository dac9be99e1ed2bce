// What a reader would see as broken: a page wider than its window, or blocks of one row drawn on top of
// each other. `groups` are selectors; the elements each matches are compared with their siblings only.
(groups) => {
  const defects = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth + 1) {
    defects.push(`page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  const name = (el) => {
    const classes = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes} "${(el.innerText || "").trim().slice(0, 30)}"`;
  };
  for (const selector of groups) {
    const byParent = new Map();
    for (const el of document.querySelectorAll(selector)) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).position === "absolute") continue;
      if (!byParent.has(el.parentElement)) byParent.set(el.parentElement, []);
      byParent.get(el.parentElement).push([el, box]);
    }
    for (const siblings of byParent.values()) {
      for (let i = 0; i < siblings.length; i++) {
        for (let j = i + 1; j < siblings.length; j++) {
          const [a, p] = siblings[i];
          const [b, q] = siblings[j];
          const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
          const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
          if (x > 1 && y > 1) defects.push(`${selector}: ${name(a)} overlaps ${name(b)} by ${x}x${y}px`);
        }
      }
    }
  }
  return defects;
}
