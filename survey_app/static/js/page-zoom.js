// The sign page's document pages (#document-pages): zoom out / in by steps; the viewer
// scrolls both ways and the page images are drawn large enough for 250 %. Without
// script the pages still show, each a link to its full-size image.
// start(config): {root (#document-pages)}.
export const STEPS = [0.75, 1, 1.5, 2, 2.5];

export function start({ root }) {
  const viewer = root.querySelector(".page-viewer");
  const level = root.querySelector(".zoom-level");
  const buttons = [...root.querySelectorAll("[data-zoom]")];
  let step = 1;
  const apply = () => {
    viewer.style.setProperty("--zoom", String(STEPS[step]));
    level.textContent = `${Math.round(STEPS[step] * 100)}%`;
    for (const button of buttons) {
      const next = step + Number(button.dataset.zoom);
      button.disabled = next < 0 || next >= STEPS.length;
    }
  };
  for (const button of buttons) {
    button.addEventListener("click", () => {
      step = Math.min(STEPS.length - 1, Math.max(0, step + Number(button.dataset.zoom)));
      apply();
    });
  }
  apply();
  return { zoom: () => STEPS[step] };
}
