/**
 * Styles of the embed launcher and panel. They live inside the widget's shadow root, so the host page's CSS cannot
 * reach them and ours cannot leak out; `:host { all: initial }` also stops inherited properties (font, colour, …).
 */
export const WIDGET_STYLES = `
:host {
  all: initial;
  position: fixed;
  right: 0;
  bottom: 0;
  z-index: 2147483000;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 16px;
  line-height: 1.4;
  color: #1f2933;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.launcher {
  position: fixed;
  right: 20px;
  bottom: 20px;
  display: inline-flex;
  align-items: center;
  gap: 8px;
  min-height: 48px;
  padding: 12px 20px;
  border: 2px solid transparent;
  border-radius: 999px;
  background: #0b5563;
  color: #ffffff;
  font: 600 16px/1.25 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  letter-spacing: normal;
  text-transform: none;
  cursor: pointer;
  box-shadow: 0 4px 14px rgba(15, 23, 42, 0.28);
  transition: background-color 150ms ease, transform 150ms ease;
}
.launcher:hover { background: #083f49; }
.launcher:active { transform: translateY(1px); }
.launcher:focus-visible, .close:focus-visible {
  outline: 3px solid #ffffff;
  outline-offset: 0;
  box-shadow: 0 0 0 6px #1a1a1a;
}
.launcher svg { width: 22px; height: 22px; flex: none; }
.badge {
  min-width: 22px;
  height: 22px;
  padding: 0 6px;
  border-radius: 11px;
  background: #ffffff;
  color: #8a1c1c;
  font-size: 13px;
  font-weight: 700;
  line-height: 22px;
  text-align: center;
}
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}
.panel {
  position: fixed;
  right: 20px;
  bottom: 88px;
  width: 380px;
  height: min(620px, calc(100vh - 112px));
  border-radius: 14px;
  overflow: hidden;
  background: #ffffff;
  box-shadow: 0 12px 40px rgba(15, 23, 42, 0.3);
  border: 1px solid #c7d0d9;
}
.panel.opening { animation: cc-panel-in 180ms ease-out; }
.panel iframe { display: block; width: 100%; height: 100%; border: 0; }
@keyframes cc-panel-in {
  from { opacity: 0; transform: translateY(12px); }
  to { opacity: 1; transform: none; }
}
@media (max-width: 480px) {
  .panel { left: 8px; right: 8px; width: auto; bottom: 80px; height: calc(100vh - 96px); }
  .launcher { right: 12px; bottom: 12px; }
}
@media (prefers-reduced-motion: reduce) {
  .launcher, .panel.opening { transition: none; animation: none; }
}
@media (forced-colors: active) {
  .launcher, .panel { border-color: CanvasText; }
}
`;
